// Kantu's saved chats in the visitor's own browser: IndexedDB database "kantu" (schema 1).
// Python sends ops (docs: the saved-chats contract, version 1) with a sequence number in the
// mount data; a batch is applied in ONE transaction (all or nothing) and acknowledged through
// the "status" state value. The visitor secret, the chat list and a loaded chat come back through
// the "report" trigger. takeMount is called again whenever the mount data changes, without a
// cleanup, so everything lives on one object kept on the data element.
const DB_NAME = "kantu";
const SCHEMA = 1;
const STORES = ["meta", "chats", "entries", "pictures"];

class StoreError extends Error {
  constructor(kind, chat) {
    super(kind);
    this.kind = kind; // "quota" | "unavailable" | "version" | "damaged" | "missing"
    this.chat = chat || null;
  }
}

function asStoreError(error) {
  if (error instanceof StoreError) return error;
  const name = (error && error.name) || "";
  if (name === "QuotaExceededError") return new StoreError("quota");
  if (name === "VersionError") return new StoreError("version");
  return new StoreError("unavailable");
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new StoreError("unavailable"));
    tx.onerror = () => {}; // the abort that follows says why
  });
}

function openDb() {
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = indexedDB.open(DB_NAME, SCHEMA);
    } catch (error) {
      reject(asStoreError(error)); // no indexedDB at all, or a SecurityError
      return;
    }
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
      if (!db.objectStoreNames.contains("chats")) db.createObjectStore("chats", { keyPath: "id" });
      if (!db.objectStoreNames.contains("entries")) {
        db.createObjectStore("entries", { keyPath: ["chat", "index"] });
      }
      if (!db.objectStoreNames.contains("pictures")) {
        db.createObjectStore("pictures", { keyPath: "sha" });
      }
    };
    req.onblocked = () => reject(new StoreError("unavailable"));
    req.onsuccess = () => {
      const db = req.result;
      if (!STORES.every((name) => db.objectStoreNames.contains(name))) {
        db.close();
        reject(new StoreError("version"));
        return;
      }
      db.onversionchange = () => db.close(); // a newer tab upgrades: let it
      resolve(db);
    };
    req.onerror = () => reject(asStoreError(req.error));
  });
}

function newSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const text = btoa(String.fromCharCode(...bytes));
  return text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const isInt = (v) => Number.isInteger(v) && v >= 0;
const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function goodMeta(m) {
  return (
    isObj(m) && typeof m.id === "string" && typeof m.title === "string" &&
    typeof m.title_edited === "boolean" && isNum(m.created) && isNum(m.updated) &&
    isInt(m.pictures) && isInt(m.turns)
  );
}

const chatRange = (id) => IDBKeyRange.bound([id], [id, []]); // every index of one chat

// Read the schema and the visitor secret (made once); refuse a store newer than this code.
async function prepare(db) {
  const read = db.transaction("meta", "readonly").objectStore("meta");
  const [schema, visitor] = await Promise.all([request(read.get("schema")), request(read.get("visitor"))]);
  if (schema !== undefined && schema !== SCHEMA) {
    throw new StoreError(isInt(schema) && schema > SCHEMA ? "version" : "damaged");
  }
  if (schema === SCHEMA && typeof visitor === "string" && visitor.length >= 22) return visitor;
  const secret = typeof visitor === "string" && visitor.length >= 22 ? visitor : newSecret();
  const tx = db.transaction("meta", "readwrite");
  tx.objectStore("meta").put(SCHEMA, "schema");
  tx.objectStore("meta").put(secret, "visitor");
  await finished(tx);
  return secret;
}

async function listChats(db) {
  const records = await request(db.transaction("chats", "readonly").objectStore("chats").getAll());
  const chats = [];
  const damaged = [];
  for (const record of records) {
    if (goodMeta(record)) chats.push(record);
    else damaged.push(String(isObj(record) ? record.id : record).slice(0, 64));
  }
  chats.sort((a, b) => b.updated - a.updated);
  return { chats, damaged };
}

function applyOp(tx, op) {
  const chats = tx.objectStore("chats");
  const entries = tx.objectStore("entries");
  if (!isObj(op)) throw new StoreError("damaged");
  if (op.op === "chat" && goodMeta(op.chat)) chats.put(op.chat);
  else if (op.op === "entry" && typeof op.chat === "string" && isInt(op.index) && isObj(op.entry)) {
    entries.put({ chat: op.chat, index: op.index, entry: op.entry });
  } else if (op.op === "truncate" && typeof op.chat === "string" && isInt(op.length)) {
    entries.delete(IDBKeyRange.bound([op.chat, op.length], [op.chat, []]));
  } else if (op.op === "picture" && typeof op.sha === "string" && isObj(op.picture)) {
    tx.objectStore("pictures").put({ sha: op.sha, picture: op.picture });
  } else if (op.op === "delete" && typeof op.chat === "string") {
    chats.delete(op.chat);
    entries.delete(chatRange(op.chat));
  } else {
    throw new StoreError("damaged"); // an op this code does not know: write nothing
  }
}

// The pictures an entry names, with those of its earlier versions (a question edited or asked
// again keeps them: components/conversation/history.py); null when the entry is malformed.
function namedPictures(entry) {
  const found = [];
  const pending = [entry];
  for (let seen = 0; pending.length; seen++) {
    const next = pending.pop();
    const ids = next.image_ids === undefined ? [] : next.image_ids;
    const versions = next.versions === undefined ? [] : next.versions;
    if (seen > 2000 || !Array.isArray(ids) || !ids.every((sha) => typeof sha === "string")
        || !Array.isArray(versions) || !versions.every(Array.isArray)
        || !versions.every((tail) => tail.every(isObj))) {
      return null;
    }
    found.push(...ids);
    versions.forEach((tail) => pending.push(...tail));
  }
  return found;
}

// After a delete: drop the pictures no saved entry names any more (in the same transaction).
async function dropOrphans(tx) {
  const entries = await request(tx.objectStore("entries").getAll());
  const named = new Set();
  for (const record of entries) {
    const ids = isObj(record) && isObj(record.entry) ? namedPictures(record.entry) : null;
    if (ids) ids.forEach((sha) => named.add(sha));
  }
  const pictures = tx.objectStore("pictures");
  const shas = await request(pictures.getAllKeys());
  shas.filter((sha) => !named.has(sha)).forEach((sha) => pictures.delete(sha));
}

async function applyBatch(db, ops) {
  const tx = db.transaction(["chats", "entries", "pictures"], "readwrite");
  const done = finished(tx);
  try {
    ops.forEach((op) => applyOp(tx, op));
    if (ops.some((op) => op.op === "delete")) await dropOrphans(tx);
  } catch (error) {
    try {
      tx.abort();
    } catch (_) {
      /* already aborted */
    }
    done.catch(() => {});
    throw asStoreError(error);
  }
  await done;
}

async function loadChat(db, id) {
  const tx = db.transaction(["chats", "entries", "pictures"], "readonly");
  const meta = await request(tx.objectStore("chats").get(id));
  if (meta === undefined) throw new StoreError("missing", id);
  const records = await request(tx.objectStore("entries").getAll(chatRange(id)));
  if (!goodMeta(meta)) throw new StoreError("damaged", id);
  const entries = [];
  for (const record of records) {
    if (!isObj(record) || record.index !== entries.length || !isObj(record.entry)) {
      throw new StoreError("damaged", id);
    }
    entries.push(record.entry);
  }
  const shas = new Set();
  for (const entry of entries) {
    const ids = namedPictures(entry);
    if (ids === null) throw new StoreError("damaged", id);
    ids.forEach((sha) => shas.add(sha));
  }
  const store = tx.objectStore("pictures");
  const found = await Promise.all([...shas].map((sha) => request(store.get(sha))));
  const pictures = {};
  for (const record of found) {
    if (record === undefined) continue; // the importer names what is missing
    if (!isObj(record) || typeof record.sha !== "string" || !isObj(record.picture)) {
      throw new StoreError("damaged", id);
    }
    pictures[record.sha] = record.picture;
  }
  return { chat: meta, entries, pictures };
}

// The acknowledgement costs no run of its own: it rides with the next run the person asks for.
// Streamlit sends the widget values set in one moment as ONE rerun (a flush after a timeout of
// 0), so a value set while a question's Enter or a button's click is being handled goes with it.
// A run asked for by the acknowledgement alone was a full run after every answer (60-70 ms of
// the page's JavaScript per question, bench/enter_js.py) and stopped any run under way. Until
// then Python keeps the ops it has not heard acknowledged: each run mounts the same data again,
// which Streamlit sends as a reference, and the page applies nothing twice (ACKED below).
// A problem that comes or goes is said by itself once the page is idle: the page shows it.
const SETTLE_MS = 100; // a run that ends with st.rerun() is followed by the next at once

// What the page applied, by Python session: a store mounted again (the chat page left and
// opened again) does not apply a batch a second time.
const ACKED = (window.__kantuStoreAcked ??= new Map());

function sendStatus(store, status) {
  if (!status.error && status.seq === 0) return; // nothing to say: spare the rerun
  store.status = status; // the latest says all: acked counts every batch before it
  if ((status.error ?? null) !== store.saidError && !store.statusWaits) sendStatusWhenIdle(store);
}

function sendStatusWhenIdle(store) {
  store.statusWaits = true;
  whenIdle(() => {
    store.statusWaits = false;
    sendOwedStatus(store);
  }, SETTLE_MS);
}

function sendOwedStatus(store) {
  if (!store.status) return;
  const text = JSON.stringify(store.status);
  if (text === store.lastStatus) return; // each value sent costs a rerun
  try {
    store.setStateValue("status", store.status);
    store.lastStatus = text;
    store.saidError = store.status.error ?? null;
  } catch (err) {
    // the page left the chat meanwhile (another page): said again on the store's next batch
  }
}

// The person's actions that ask Streamlit for a run, seen before Streamlit's own handlers: a
// question sent (the reading script's QUESTION_SENT, when_not_taken.js), a click on an enabled
// st.button or on an entry's button other than Copy (a window listener, capture phase).
// Anything else (the toolbar, a download, a popover, Copy, Enter held while an answer streams)
// asks for no run: the status waits. Not a form's submit button either: Streamlit sends a form
// at once, not with the moment's other values, so the status would follow as a second rerun
// that stops the form's run and loses its submit.
const RUN_BUTTONS = ['[data-testid="stButton"] button', 'button.kantu-act:not([data-verb="copy"])']
  .join(", ");

function carryStatusWithRuns() {
  if (window.__kantuStatusCarried) return;
  window.__kantuStatusCarried = true;
  const carry = () => {
    const store = stApp()?.__kantuStore;
    if (store?.host?.isConnected) sendOwedStatus(store);
  };
  window.addEventListener(QUESTION_SENT, carry);
  window.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (button && !button.disabled && button.matches(RUN_BUTTONS)) carry();
  }, { capture: true, passive: true });
}

const sessionOf = (data) => (typeof data.session === "string" ? data.session : "");

async function handle(store, data) {
  const seq = isInt(data.seq) ? data.seq : 0;
  const ops = Array.isArray(data.ops) ? data.ops : [];
  const load = typeof data.load === "string" ? data.load : null;
  const session = sessionOf(data);
  if (session !== store.session) {
    // A new Python session (server restart, another replica) counts its batches from 1 again.
    store.session = session;
    store.acked = ACKED.get(session) ?? 0;
    store.loaded = null;
    store.announce = true; // the new session has not heard the visitor and the list yet
  }
  const report = {};
  if (!store.ready) {
    performance.mark("kantu-store-mounted"); // for bench/history_browser.py
    store.ready = (async () => {
      const db = await openDb();
      return { db, visitor: await prepare(db) };
    })();
  }
  try {
    const { db, visitor } = await store.ready;
    if (store.announce) {
      report.ready = { version: SCHEMA, visitor, ...(await listChats(db)) };
      // The page will open the chat changed last (the list is newest first): it comes with
      // this answer, unasked.
      const newest = report.ready.chats[0];
      if (data.restore === true && newest) {
        try {
          report.newest = await loadChat(db, newest.id);
          noteLoadedTexts(report.newest);
        } catch (_) {
          /* unreadable: the page asks for it and hears why */
        }
      }
    }
  } catch (error) {
    store.broken = asStoreError(error).kind;
    if (store.announce) report.ready = { version: SCHEMA, error: store.broken };
  }
  store.announce = false;
  let error = store.broken;
  if (!error) {
    const { db } = await store.ready;
    if (seq > store.acked && ops.length) {
      try {
        await applyBatch(db, ops);
        performance.mark("kantu-store-applied"); // for bench/history_browser.py
        store.acked = seq;
        ACKED.set(session, seq);
      } catch (failure) {
        error = asStoreError(failure).kind;
      }
    } else if (seq > store.acked) {
      store.acked = seq;
      ACKED.set(session, seq);
    }
    if (load !== null && load !== store.loaded) {
      store.loaded = load;
      try {
        report.loaded = await loadChat(db, load);
        noteLoadedTexts(report.loaded);
      } catch (failure) {
        report.loaded = { id: load, error: asStoreError(failure).kind };
      }
    } else if (load === null) {
      store.loaded = null;
    }
  }
  if (Object.keys(report).length) {
    performance.mark(report.loaded || report.newest ? "kantu-store-loaded" : "kantu-store-report");
    sendReport(store, report);
  }
  sendStatus(store, { session, acked: store.acked, error, seq });
}

// A report Python never heard (whenNotTaken, prepended from when_not_taken.js) is sent again, at
// most RESENDS times: the saved chats would otherwise wait for the visitor's next click. Each
// report has a number; Python names the last ones it heard (`heard`, in the mount data).
const RESENDS = 2;

function sendReport(store, report, resends = RESENDS) {
  if (!report.id) report.id = ++store.reports;  // a resend keeps its number
  store.setTriggerValue("report", report);
  if (resends > 0) {
    // Left with the chat page (another page has no store to take it: its resend only cost that
    // page a run, and could take a click's); the chat page, back, mounts a store that reports anew.
    const gone = () => !store.host?.isConnected;
    whenNotTaken(() => store.heard.includes(report.id) || gone(), () => {
      performance.mark("kantu-store-resent");
      sendReport(store, report, resends - 1);
    });
  }
}

// Streamlit reruns after a reconnect only when a run was under way. A page that lands on a
// restarted server or on another replica stays as it was, on a new session that knows nothing
// of it (not even the visitor's language). One trigger then asks for a run: the new session
// hears the store, and the chat open last comes back.
function watchReconnects() {
  const app = stApp();
  if (!app || app.__kantuReconnects) return;
  app.__kantuReconnects = true;
  let lost = false;
  new MutationObserver(() => {
    if (app.getAttribute("data-test-connection-state") !== "CONNECTED") {
      lost = true;
      return;
    }
    if (!lost) return;
    lost = false;
    if (runUnderWay(app)) return; // Streamlit asked for one itself
    const store = app.__kantuStore;
    if (store) sendReport(store, { reconnected: true });
  }).observe(app, { attributes: true, attributeFilter: ["data-test-connection-state"] });
}

// An answer finished in place: the batches queued after the store's data of that run went
// (browser_store.py: mount_after), in an element of their own. The store the page has applies
// them, in its order, once it has applied the batch `after` names (else the next run's data
// carries them all again), and acknowledges them as its own.
function takeAfter(data) {
  noteSavedTexts(Array.isArray(data.ops) ? data.ops : [], sessionOf(data));
  const store = stApp()?.__kantuStore;
  if (!store?.host?.isConnected) return;
  store.queue = store.queue.then(() => {
    if (sessionOf(data) === store.session && store.acked >= data.after) return handle(store, data);
  }).catch(() => {});
}

// Each mount of the store's data (page_script.py: the script itself is sent once).
function takeMount(component) {
  const { parentElement, setStateValue, setTriggerValue } = component;
  const data = unpacked(component.data) ?? {};  // component_data.packed
  if (isInt(data.after)) {
    takeAfter(data);
    return;
  }
  let store = parentElement.__kantuStore;
  if (!store) {
    store = { session: null, acked: 0, loaded: null, ready: null, broken: null, lastStatus: "",
              saidError: null, reports: 0, heard: [] };
    store.queue = Promise.resolve();
    parentElement.__kantuStore = store;
  }
  store.setStateValue = setStateValue;
  store.setTriggerValue = setTriggerValue;
  store.host = parentElement;
  // at once: Copy may be waiting for one
  noteSavedTexts(Array.isArray(data.ops) ? data.ops : [], sessionOf(data));
  store.heard = Array.isArray(data?.heard) ? data.heard : [];  // the reports Python took
  watchReconnects();
  carryStatusWithRuns();
  const app = stApp();
  if (app) app.__kantuStore = store; // the store mounted last answers a reconnect
  // One handling at a time, in the order the data came: a batch never races the next one.
  store.queue = store.queue.then(() => handle(store, data)).catch(() => {});
}
