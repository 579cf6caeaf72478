// Kantu's camera: live video, one photo as a JPEG data URL handed to Python as the "photo"
// trigger. Streamlit calls this function again whenever the mount data changes, without calling
// the previous cleanup, so everything lives on the root element and is set up once.
const JPEG_QUALITY = 0.9;

function reasonOf(error) {
  const name = (error && error.name) || "";
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "none";
  if (name === "NotReadableError" || name === "AbortError") return "busy";
  return "unavailable";
}

function stop(cam) {
  if (cam.stream) cam.stream.getTracks().forEach((track) => track.stop());
  cam.stream = null;
  cam.closed = true;
}

// ``reason`` names a text ("starting", "denied", …) so a language switch can redraw it.
function show(cam, state, reason) {
  const { root, video, still, take, retake, msg } = cam.els;
  cam.reason = reason || "";
  root.dataset.state = state;
  video.hidden = state === "shot";
  still.hidden = state !== "shot";
  take.hidden = state === "shot";
  take.disabled = state !== "live";
  retake.hidden = state !== "shot";
  msg.textContent = cam.reason ? cam.texts[cam.reason] || "" : "";
}

async function open(cam) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    show(cam, "error", "unavailable");
    return;
  }
  show(cam, "starting", "starting");
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1920 }, height: { ideal: 1080 }, facingMode: "environment" },
      audio: false,
    });
    if (cam.closed) {
      stream.getTracks().forEach((track) => track.stop());
      return;
    }
    cam.stream = stream;
    cam.els.video.srcObject = stream;
    await cam.els.video.play().catch(() => {});
    show(cam, "live", "");
  } catch (error) {
    show(cam, "error", reasonOf(error));
  }
}

function snap(cam) {
  const { video, still } = cam.els;
  if (!video.videoWidth) return;
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  const url = canvas.toDataURL("image/jpeg", JPEG_QUALITY);
  still.src = url;
  show(cam, "shot", "");
  cam.setTriggerValue("photo", url);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".kc");
  let cam = root.__kantuCamera;
  if (!cam) {
    cam = {
      els: {
        root,
        video: root.querySelector(".kc-video"),
        still: root.querySelector(".kc-still"),
        take: root.querySelector(".kc-take"),
        retake: root.querySelector(".kc-retake"),
        msg: root.querySelector(".kc-msg"),
      },
      stream: null,
      closed: false,
    };
    root.__kantuCamera = cam;
    cam.els.take.addEventListener("click", () => snap(cam));
    cam.els.retake.addEventListener("click", () => show(cam, cam.stream ? "live" : "error", ""));
  }
  cam.texts = data;  // the texts by name: plain strings (component_data.py)
  cam.setTriggerValue = setTriggerValue;
  cam.els.take.textContent = data.take;
  cam.els.retake.textContent = data.retake;
  cam.els.video.setAttribute("aria-label", data.live);
  cam.els.msg.textContent = cam.reason ? cam.texts[cam.reason] || "" : "";
  if (!cam.started) {
    cam.started = true;
    open(cam);
  }
  return () => stop(cam);
}
