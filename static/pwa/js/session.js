// Who is logged in on this phone. The token lives in IndexedDB; an expired login keeps everything.
import * as api from './api.js';
import { getMeta, setMeta, del, clearPulled } from './db.js';
import { unsentCount } from './sync.js';

export const current = () => getMeta('session');

function deviceName() {
  const ua = navigator.userAgent;
  const os = /iPhone|iPad/.test(ua) ? 'iOS' : /Android/.test(ua) ? 'Android' : '电脑';
  const app = /MicroMessenger/.test(ua) ? '微信' : '浏览器';
  return `现场App · ${os} · ${app}`;
}

/** Log in; a different person may not take over a phone that still holds someone's unsent records. */
export async function login(username, password) {
  const before = await current();
  const other = before && before.user && before.user.username !== username;
  if (other && (await unsentCount()) > 0) {
    throw new api.ApiError('http', `本机还有${before.user.name || before.user.username}未发送的记录，请先用该账号登录同步，或在“设置”里导出`);
  }
  const issued = await api.login(username, password, deviceName());
  await setMeta('session', { token: issued.token, device: issued.device, user: before && !other ? before.user : null });
  const user = await api.me();
  if (other) await clearPulled();
  await setMeta('session', { token: issued.token, device: issued.device, user, expired: false, at: Date.now() });
  await askPersistence();
  return user;
}

/** Ask the browser to keep this app's storage under pressure (asked at login; the answer is shown in
 *  设置). Returns true when granted. */
export async function askPersistence() {
  if (!navigator.storage || !navigator.storage.persist) return false;
  try {
    const ok = (await navigator.storage.persisted()) || (await navigator.storage.persist());
    await setMeta('persisted', { ok, at: Date.now() });
    return ok;
  } catch (_) {
    return false;
  }
}

/** Log out; refused while records wait to be sent (they would be stranded). */
export async function logout() {
  if ((await unsentCount()) > 0) throw new Error('还有未发送的记录，请先同步或导出后再退出');
  await del('meta', 'session');
  await clearPulled();
}
