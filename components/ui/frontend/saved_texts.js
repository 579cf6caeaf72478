// The entries' texts the browser store was handed, by chat and place, kept for this page's life.
// Copy's button names an answer the page already has (data-chat, data-index) instead of carrying
// it a second time; components/ui/browser_store.py `holds` keeps Python's side of the same record
// from the same ops and loaded chats, by the same rules.
// chats: chat -> (index -> text), for the Python session named
const savedTexts = () => (window.__kantuSavedTexts ??= { session: null, chats: new Map() });

// Called with each mount's ops, before they are applied: all of them, acknowledged or not, in
// order (ops sent again until acknowledged put the same texts again). A new Python session
// (a restarted server) starts its record empty: so does the page's.
function noteSavedTexts(ops, session) {
  const saved = savedTexts();
  if (saved.session !== session) {
    saved.chats.clear();
    saved.session = session;
  }
  const chats = saved.chats;
  for (const op of ops) {
    if (op === null || typeof op !== "object" || typeof op.chat !== "string") continue;
    const texts = chats.get(op.chat);
    if (op.op === "entry" && Number.isInteger(op.index)) {
      const text = op.entry && op.entry.text;
      if (typeof text !== "string") texts?.delete(op.index);
      else if (texts) texts.set(op.index, text);
      else chats.set(op.chat, new Map([[op.index, text]]));
    } else if (op.op === "truncate" && Number.isInteger(op.length) && texts) {
      [...texts.keys()].filter((index) => index >= op.length).forEach((i) => texts.delete(i));
    } else if (op.op === "delete") {
      chats.delete(op.chat);
    }
  }
}

// Called with a chat the store read from IndexedDB (restored after a reload, or opened from the
// list), before it is reported: its texts fill only the places no op has named, as an op is as
// new as the database or newer (a mount's ops are noted as it arrives, before its own load).
function noteLoadedTexts(loaded) {
  const chats = savedTexts().chats;
  const id = loaded.chat.id;
  const texts = chats.get(id) ?? new Map();
  chats.set(id, texts);
  loaded.entries.forEach((entry, index) => {
    if (typeof entry.text === "string" && !texts.has(index)) texts.set(index, entry.text);
  });
}

// The text at (chat, index), waiting a little for the store's mount that brings it (it is the
// last element of the run that drew the button). Rejects when it never comes.
async function savedText(chat, index, waitMs = 4000) {
  for (let waited = 0; ; waited += 50) {
    const text = savedTexts().chats.get(chat)?.get(index);
    if (text !== undefined) return text;
    if (waited >= waitMs) throw new Error("not in the page");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
