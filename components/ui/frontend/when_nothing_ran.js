// Now and then, right after a page load, Streamlit runs nothing for what the page sent (a
// component's trigger, a question from the chat input): seen in Chromium under load. Streamlit
// marks each change of its run state on the performance timeline, and what it takes always
// starts a run, so "no run started since it was sent, and nothing runs" means it was lost.
// Prepended to the page scripts that recover (components/ui/run_watch.py).

// Call act() once nothing runs, if no script run has started since `since` (performance.now());
// look every `every` ms, at most `looks` times.
function whenNothingRan(since, act, every = 2000, looks = 30) {
  const look = (left) => {
    const ran = performance.getEntriesByName("running").some((mark) => mark.startTime > since);
    if (ran || left <= 0) return;
    const app = document.querySelector('[data-testid="stApp"]');
    if (app?.getAttribute("data-test-script-state") !== "notRunning") {
      setTimeout(() => look(left - 1), every);
      return;
    }
    act();
  };
  setTimeout(() => look(looks), every);
}
