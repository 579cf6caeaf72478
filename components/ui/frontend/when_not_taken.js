// Now and then, right after a page load, Streamlit never hears what the page sent (a component's
// trigger, a question from the chat input): seen in Chromium under load. The cause, found since:
// a newer trigger (another component's report, a click) that reaches the server in the moment
// between Streamlit taking the run for the first and handing that run its widgets stops the run,
// and the first trigger goes with it (a question that got further is kept: session.hear_question).
// A run that starts meanwhile proves nothing: it may be for something else (a question lost
// together with the browser store's report was taken for heard when the report's resend ran). So
// Python says what it heard, in the data of its runs, and the caller's `taken()` reads that.
// Prepended to the page scripts that recover (components/ui/run_watch.py).

// Call act() once, if taken() still says no when nothing runs; look every `every` ms, at most
// `looks` times. Idle and not taken is looked at twice, `settle` ms apart: the data of a run
// that just ended reaches the page's scripts a moment after Streamlit marks it ended.
function whenNotTaken(taken, act, every = 2000, looks = 30, settle = 300) {
  const idle = () => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute("data-test-script-state") === "notRunning";
  const look = (left) => {
    if (taken() || left <= 0) return;
    if (!idle()) {
      setTimeout(() => look(left - 1), every);
      return;
    }
    setTimeout(() => {
      if (taken()) return;
      if (idle()) act();
      else look(left - 1);
    }, settle);
  };
  setTimeout(() => look(looks), every);
}

// Whether the page's script runs now, or Streamlit has asked for a run (its state on stApp).
const RUN_UNDER_WAY = new Set(["running", "rerunRequested"]);
function runUnderWay(app = document.querySelector('[data-testid="stApp"]')) {
  return RUN_UNDER_WAY.has(app?.getAttribute("data-test-script-state"));
}
