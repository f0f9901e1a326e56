// Registers the service worker and offers an update when a new version waits.
// The new version is applied only when the inspector accepts it; never over an open inspection without consent.
export const bridge = new EventTarget();
let registration = null;
let accepted = false;

export async function register() {
  if (!('serviceWorker' in navigator)) return null;
  registration = await navigator.serviceWorker.register(new URL('../sw.js', import.meta.url), { scope: new URL('../', import.meta.url).pathname });
  const announce = () => { if (registration.waiting && navigator.serviceWorker.controller) bridge.dispatchEvent(new Event('update')); };
  announce();
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker && worker.addEventListener('statechange', () => { if (worker.state === 'installed') announce(); });
  });
  let hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!hadController) { hadController = true; return; } // the first install taking control: nothing changed
    if (accepted) location.reload();
    else bridge.dispatchEvent(new Event('activated-elsewhere'));
  });
  setInterval(() => registration.update().catch(() => {}), 30 * 60 * 1000);
  return registration;
}

export const updateWaiting = () => Boolean(registration && registration.waiting);

/** Apply the waiting version: the page reloads once it has taken over. */
export function applyUpdate() {
  if (!registration || !registration.waiting) return false;
  accepted = true;
  registration.waiting.postMessage({ type: 'SKIP_WAITING' });
  return true;
}

export function checkForUpdate() {
  return registration ? registration.update() : Promise.resolve();
}
