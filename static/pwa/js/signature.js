// The owner's signature drawn with a finger (pointer events), kept as PNG bytes.
const INK = '#000';

export function signaturePad(canvas, { onEnd } = {}) {
  const ratio = Math.min(window.devicePixelRatio || 1, 2);
  const rect = canvas.getBoundingClientRect();
  canvas.width = Math.round(rect.width * ratio);
  canvas.height = Math.round(rect.height * ratio);
  const ctx = canvas.getContext('2d');
  const clear = () => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  ctx.lineWidth = 3 * ratio;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = INK;
  let drawing = false;
  let strokes = 0;
  let drawn = 0; // length of ink in CSS px: a tap draws none
  let last = null;
  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (canvas.width / r.width), (e.clientY - r.top) * (canvas.height / r.height)];
  };
  const down = (e) => {
    e.preventDefault();
    canvas.setPointerCapture && canvas.setPointerCapture(e.pointerId);
    drawing = true;
    const [x, y] = point(e);
    last = [x, y];
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 0.1, y + 0.1);
    ctx.stroke();
  };
  const move = (e) => {
    if (!drawing) return;
    e.preventDefault();
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const ev of events.length ? events : [e]) {
      const [x, y] = point(ev);
      drawn += Math.hypot(x - last[0], y - last[1]) / ratio;
      last = [x, y];
      ctx.lineTo(x, y);
    }
    ctx.stroke();
  };
  const up = () => {
    if (!drawing) return;
    drawing = false;
    strokes += 1;
    onEnd && onEnd();
  };
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  canvas.addEventListener('pointerleave', up);
  return {
    clear() { clear(); strokes = 0; drawn = 0; },
    get empty() { return strokes === 0; },
    /** Ink drawn since the last clear, in CSS pixels. */
    get length() { return drawn; },
    /** Draw a stored signature back (after reopening the app). */
    async show(blob) {
      const bmp = await createImageBitmap(blob);
      ctx.drawImage(bmp, 0, 0, canvas.width, canvas.height);
      strokes = 1;
      drawn = Infinity; // a signature accepted before
    },
    png() {
      return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('签名保存失败'))), 'image/png'));
    },
  };
}
