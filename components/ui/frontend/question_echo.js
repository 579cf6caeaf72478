// The question shows the moment it is sent, with its pictures, as in the chats people know:
// Streamlit draws it only once the server has run the page for it (200-250 ms, more with big
// photos). This draws a stand-in at the end of the conversation from what the input holds at
// Enter: the text, and each attached picture from the preview Streamlit already decoded for its
// chip. The stand-in goes as soon as Streamlit's own message for it is on the page, or the card
// of a message held back (`held`, a selector; not one that was already waiting), when the run
// for it ends without either (a refusal), or when the question is put back in the input
// (dropEcho). Prepended to the reading script (components/ui/reading.py).

const ECHO_CLASS = "kantu-echo";
const ECHO_SHOWN = "kantu-echoing";  // on <html> while a stand-in shows (the welcome hides)
const MESSAGE = '[data-testid="stChatMessage"]';

function dropEcho() {
  document.querySelectorAll(`.${ECHO_CLASS}`).forEach((node) => node.remove());
  document.documentElement.classList.remove(ECHO_SHOWN);
}

// Sized as Streamlit's own thumbnail will be (gallery.thumb_size): `tall` px high, or less to be
// at most `widest` wide, never larger than the picture, and of a picture more than `crop.above`
// times as high as wide only the top, `crop.keep` times its width.
function thumbBox(across, down, { tall, widest, crop }) {
  const kept = down > crop.above * across ? Math.max(1, Math.round(across * crop.keep)) : down;
  const scale = Math.min(tall / kept, widest / across, 1);
  return { width: Math.max(1, Math.round(across * scale)),
           height: Math.max(1, Math.round(kept * scale)) };
}

// Each attached photo's stand-in thumbnail, made while the person types: Chromium decodes a photo
// again for every element that shows it, at any size (a 12 MP JPEG, about 30 ms of CPU even at
// 32 px, measured), and at Enter that CPU is what the server needs to prepare the same photos.
// A small ImageBitmap of each preview, decoded from its blob off the main thread, is drawn into
// the stand-in's canvas at Enter for next to nothing. Keyed by the preview's blob: address; the
// chip's preview gets `data-kantu-thumb` once its bitmap is there.
const THUMBS = new Map();  // blob: address -> ImageBitmap, or null while it is made
const PREVIEW = '[data-testid="stFileChipImagePreview"]';

function makeThumbs(sizes) {
  const previews = [...(document.querySelector('{chat_input}')?.querySelectorAll(PREVIEW) ?? [])];
  const shown = new Set(previews.map((preview) => preview.src));
  for (const [src, bitmap] of THUMBS) {
    if (!shown.has(src)) { bitmap?.close(); THUMBS.delete(src); }
  }
  for (const preview of previews) {
    const { src, naturalWidth: across, naturalHeight: down } = preview;
    if (THUMBS.has(src) || !preview.complete || !across) continue;
    if (down > sizes.crop.above * across) continue;  // a long one shows its top: the copy does
    const box = thumbBox(across, down, sizes);
    THUMBS.set(src, null);
    const ratio = window.devicePixelRatio || 1;
    fetch(src)
      .then((response) => response.blob())
      .then((blob) => createImageBitmap(blob, {
        resizeWidth: Math.max(1, Math.round(box.width * ratio)),
        resizeHeight: Math.max(1, Math.round(box.height * ratio)),
        resizeQuality: "high", imageOrientation: "from-image" }))
      .then((bitmap) => {
        if (THUMBS.has(src)) {
          THUMBS.set(src, bitmap);
          preview.dataset.kantuThumb = "ready";
        } else bitmap.close();  // the chip went meanwhile
      })
      .catch(() => THUMBS.delete(src));  // the stand-in shows the preview's copy instead
  }
}

// A preview loaded: its thumbnail is made (every attach loads one). The document's capture
// sees each image's load event, which does not bubble and never reaches the window.
function watchPreviews(sizes) {
  document.addEventListener("load", (e) => {
    if (e.target?.matches?.(PREVIEW)) makeThumbs(sizes);
  }, { capture: true });
}

// The stand-in's thumbnail of one chip: its bitmap drawn in a canvas (makeThumbs), or a copy of
// the chip's preview element, sized. The copy shows the same blob: picture, which the page
// already holds (the address is revoked once the input empties; the loaded picture stays with
// each element showing it), and Chromium decodes it again at the size shown, off the main thread.
// Drawn into a canvas from the preview itself, each 12 MP photo was decoded whole on the main
// thread (about 100 ms each, measured) while Streamlit's own Enter handler, the one that sends the
// question, waited: three photos reached the server 300 ms late. A grey box stands for a preview
// not loaded yet.
function echoThumb(chip, sizes) {
  const preview = chip.querySelector(PREVIEW);
  const name = chip.querySelector('[data-testid="stFileChipName"]')?.textContent ?? "";
  const ready = preview && preview.complete && preview.naturalWidth > 0;
  const box = ready ? thumbBox(preview.naturalWidth, preview.naturalHeight, sizes)
    : { width: sizes.tall, height: sizes.tall };
  const bitmap = ready ? THUMBS.get(preview.src) : null;
  const thumb = ready && !bitmap ? preview.cloneNode(false) : document.createElement("canvas");
  thumb.removeAttribute("data-testid");
  thumb.removeAttribute("data-kantu-thumb");
  thumb.removeAttribute("style");
  thumb.className = `${ECHO_CLASS}-thumb`;  // shows the top of a long picture (object-fit)
  thumb.title = name;
  if (bitmap) {
    thumb.width = bitmap.width;
    thumb.height = bitmap.height;
    thumb.style.setProperty("--kantu-w", `${box.width}px`);  // drawn at the page's pixel ratio
    thumb.style.setProperty("--kantu-h", `${box.height}px`);
    thumb.getContext("2d").drawImage(bitmap, 0, 0);
  } else {
    thumb.width = box.width;
    thumb.height = box.height;
  }
  thumb.style.aspectRatio = `${box.width} / ${box.height}`;  // a phone's shorter row keeps it
  if (ready) {
    if (!bitmap) thumb.alt = "";  // Streamlit's own message follows and is read
    thumb.dataset.drawn = bitmap ? "ahead" : "true";
  }
  return thumb;
}

// Show `text` (or `fallback` when only pictures go) as the reader's next message; its
// thumbnails sized by `sizes` ({ tall, widest, crop }: echoThumb's). `heard()` says whether a
// run has taken the question: a run that ends without it (the page's own report, say) leaves
// the stand-in, and one that does ends it even when it drew nothing new.
function echoQuestion(text, fallback, { held, heard, ...sizes }) {
  dropEcho();
  const input = document.querySelector('{chat_input}');
  const chips = [...(input?.querySelectorAll('[data-testid="stFileChip"]') ?? [])];
  if (!text && !chips.length) return;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (!main) return;
  const asked = text || fallback;

  const echo = document.createElement("div");
  echo.className = ECHO_CLASS;
  echo.setAttribute("data-testid", "kantuEcho");
  echo.setAttribute("aria-hidden", "true");  // Streamlit's own message follows and is read
  const avatar = document.createElement("div");
  avatar.className = `${ECHO_CLASS}-avatar`;
  const body = document.createElement("div");
  body.className = `${ECHO_CLASS}-body`;
  const words = document.createElement("div");
  words.className = `${ECHO_CLASS}-text`;
  words.textContent = asked;
  body.appendChild(words);
  if (chips.length) {
    const row = document.createElement("div");
    row.className = `${ECHO_CLASS}-thumbs`;
    chips.forEach((chip) => row.appendChild(echoThumb(chip, sizes)));
    body.appendChild(row);
  }
  echo.append(avatar, body);

  // After the last message drawn; on the welcome, in its place.
  const before = new Set(main.querySelectorAll(MESSAGE));
  const last = [...before].pop();
  const at = last?.closest('[data-testid="stVerticalBlock"] > *') ?? null;
  if (at) at.after(echo);
  else main.prepend(echo);
  if (!echo.isConnected) return;
  document.documentElement.classList.add(ECHO_SHOWN);
  performance.mark("kantu-question-echoed");

  const app = stApp();
  const heldBefore = document.querySelector(held)?.textContent ?? null;  // one left waiting
  const check = () => {
    if (!echo.isConnected) return done();
    const card = document.querySelector(held);
    const drawn = (card && card.textContent !== heldBefore) || [...main.querySelectorAll(MESSAGE)]
      .some((message) => !before.has(message) && message.textContent.includes(asked));
    if (drawn || (heard() && scriptIdle(app))) { dropEcho(); done(); }
  };
  const watch = new MutationObserver(check);
  const done = () => watch.disconnect();
  watch.observe(document.body, { childList: true, subtree: true, characterData: true,
    attributes: true, attributeFilter: [SCRIPT_STATE] });
}
