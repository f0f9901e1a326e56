// Photos as the phone keeps them: scaled (long side ≤ 1600 px) JPEG bytes, named by their SHA-256.
// Never a canvas bigger than iOS allows (each side ≤ 4096, area ≤ 16.7 MP).
import { put, get } from './db.js';

const LONG_SIDE = 1600;
const QUALITY = 0.8;
const MAX_SIDE = 4096;
const MAX_AREA = 16_777_216;

export async function sha256(buffer) {
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function fit(w, h, longSide) {
  const s = Math.min(1, longSide / Math.max(w, h));
  return [Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s))];
}

function canvasOf(w, h) {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

function toJpeg(canvas) {
  return new Promise((resolve, reject) => canvas.toBlob(
    (b) => (b ? resolve(b) : reject(new Error('照片编码失败'))), 'image/jpeg', QUALITY));
}

async function loadImage(file) {
  const url = URL.createObjectURL(file); // only to decode; the photo is stored as bytes
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

// Halve step by step: one big downscale in a single drawImage looks jagged and may exceed iOS limits.
function drawStepwise(img, w, h, tw, th) {
  let [cw, ch] = [w, h];
  const s = Math.min(1, MAX_SIDE / Math.max(cw, ch), Math.sqrt(MAX_AREA / (cw * ch)));
  [cw, ch] = [Math.floor(cw * s), Math.floor(ch * s)];
  let src = img;
  let [sw, sh] = [w, h];
  while (cw / 2 >= tw) {
    const c = canvasOf(cw, ch);
    c.getContext('2d').drawImage(src, 0, 0, sw, sh, 0, 0, cw, ch);
    [src, sw, sh] = [c, cw, ch];
    [cw, ch] = [Math.floor(cw / 2), Math.floor(ch / 2)];
  }
  const out = canvasOf(tw, th);
  const ctx = out.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(src, 0, 0, sw, sh, 0, 0, tw, th);
  return out;
}

async function scaledCanvas(file) {
  const img = await loadImage(file);
  const [w, h] = [img.naturalWidth, img.naturalHeight];
  const [tw, th] = fit(w, h, LONG_SIDE);
  if ('createImageBitmap' in window) {
    try {
      const bmp = await createImageBitmap(file, { resizeWidth: tw, resizeHeight: th, resizeQuality: 'high' });
      if (bmp.width === tw && bmp.height === th) {
        const c = canvasOf(tw, th);
        c.getContext('2d').drawImage(bmp, 0, 0);
        bmp.close();
        return c;
      }
      bmp.close(); // resize options ignored (older Safari): fall back
    } catch (_) { /* not supported with options */ }
  }
  return drawStepwise(img, w, h, tw, th);
}

/** Scale, encode, hash and store a photo taken with the camera; returns its record (without bytes). */
export async function storePhoto(file) {
  const canvas = await scaledCanvas(file);
  const bytes = await (await toJpeg(canvas)).arrayBuffer();
  return storeBytes(bytes, 'image/jpeg', { width: canvas.width, height: canvas.height });
}

/** Store bytes as a photo (a signature PNG, an imported photo); idempotent by hash. */
export async function storeBytes(bytes, type, extra = {}) {
  const sha = await sha256(bytes);
  const existing = await get('photos', sha);
  if (!existing) {
    await put('photos', { sha, type, bytes, size: bytes.byteLength, uploaded: false, created_at: Date.now(), ...extra });
  }
  return { sha, type, size: bytes.byteLength };
}

/** A short-lived object URL to show a stored photo; the caller revokes it. */
export async function photoUrl(sha) {
  const p = await get('photos', sha);
  return p && p.bytes ? URL.createObjectURL(new Blob([p.bytes], { type: p.type })) : null;
}

/** A stored photo as a Blob, or null. */
export async function photoBlob(sha) {
  const p = await get('photos', sha);
  return p && p.bytes ? new Blob([p.bytes], { type: p.type }) : null;
}
