// Now and then, right after a page load, Streamlit never hears what the page sent (a component's
// trigger, a question from the chat input): seen in Chromium under load. The cause, found since:
// a newer trigger (another component's report, a click) that reaches the server in the moment
// between Streamlit taking the run for the first and handing that run its widgets stops the run,
// and the first trigger goes with it (a question that got further is kept: session.hear_question).
// A run that starts meanwhile proves nothing: it may be for something else (a question lost
// together with the browser store's report was taken for heard when the report's resend ran). So
// Python says what it heard, in the data of its runs, and the caller's `taken()` reads that.
// Prepended to the page scripts that recover (components/ui/run_watch.py).

// What the page sends by itself waits until the person has been still (no key, no pointer
// pressed) for PERSON_STILL_MS: sent in the moment of a click, it stopped the click's run before
// the click was acted on, and the click was lost (seen in CI: the store's resend took Retry
// failed's). A click that comes after it instead stops its run: that one is sent again.
const PERSON_STILL_MS = 500;
let personLast = -Infinity;
for (const type of ["pointerdown", "keydown"]) {
  window.addEventListener(type, () => { personLast = performance.now(); },
                          { capture: true, passive: true });
}

// How many ms until the person has been still long enough (0: they have).
function untilStill() {
  return Math.max(0, personLast + PERSON_STILL_MS - performance.now());
}

// The page's script state, as Streamlit marks it on stApp. Idle: no run, none asked for or
// being stopped ("notRunning"); under way: a run, or one asked for.
const SCRIPT_STATE = "data-test-script-state";
const stApp = () => document.querySelector('[data-testid="stApp"]');
const scriptIdle = (app = stApp()) => app?.getAttribute(SCRIPT_STATE) === "notRunning";
const RUN_UNDER_WAY = new Set(["running", "rerunRequested"]);
function runUnderWay(app = stApp()) {
  return RUN_UNDER_WAY.has(app?.getAttribute(SCRIPT_STATE));
}

// Sent on window by the reading script (reading.py) the moment a question goes, from its own
// capture listeners, before Streamlit's handlers: the one reading of "a question is being sent"
// (not while an answer streams, where Enter is held; not while the send button is off).
const QUESTION_SENT = "kantu-question-sent";

// Call act() once, if taken() still says no when nothing runs and the person is still; look
// every `every` ms, at most `looks` times (a person's input only postpones a look). Idle and not
// taken is looked at twice, `settle` ms apart: the data of a run that just ended reaches the
// page's scripts a moment after Streamlit marks it ended.
function whenNotTaken(taken, act, every = 2000, looks = 30, settle = 300) {
  const look = (left) => {
    if (taken() || left <= 0) return;
    if (!scriptIdle()) {
      setTimeout(() => look(left - 1), every);
      return;
    }
    const still = untilStill();
    if (still) {
      setTimeout(() => look(left), still);
      return;
    }
    setTimeout(() => {
      if (taken()) return;
      if (!scriptIdle()) look(left - 1);
      else if (untilStill()) look(left); // the person again: postponed, as above
      else act();
    }, settle);
  };
  setTimeout(() => look(looks), every);
}

// Call act() once the page's script is idle (`settle` ms after a run ends, as a run that ends
// with st.rerun() is followed by the next at once) and the person is still: for what the page
// sends by itself that costs a run, which would stop a run under way.
function whenIdle(act, settle) {
  const app = stApp();
  if (app && !scriptIdle(app)) {
    const watch = new MutationObserver(() => {
      if (!scriptIdle(app)) return;
      watch.disconnect();
      setTimeout(() => whenIdle(act, settle), settle);
    });
    watch.observe(app, { attributes: true, attributeFilter: [SCRIPT_STATE] });
    return;
  }
  const still = untilStill();
  if (still) setTimeout(() => whenIdle(act, settle), still);
  else act();
}
