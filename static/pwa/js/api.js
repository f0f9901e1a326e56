// The only module that calls the server. Every answer is checked for its content type and shape:
// a 200 that is not our JSON (a Wi-Fi login page, a proxy's error page) is never taken as an answer.
import { getMeta } from './db.js';

const BASE = new URL('../../api/v1/', import.meta.url).href;
const STATUSES = new Set(['applied', 'duplicate', 'conflict', 'invalid', 'gone']);

export class ApiError extends Error {
  /** kind: offline (no network) | unreachable (network, but no answer from the server) | auth | retry
   *  (server busy or failing) | portal (not our answer) | http (the server refused it) */
  constructor(kind, message, { status = 0, fields = null } = {}) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.fields = fields;
  }
}

async function token() {
  const session = await getMeta('session');
  return session && session.token;
}

async function call(method, path, { body, bytes, type, auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (auth) {
    const t = await token();
    if (!t) throw new ApiError('auth', '请先登录');
    headers.Authorization = `Bearer ${t}`;
  }
  let payload;
  if (bytes !== undefined) { payload = bytes; headers['Content-Type'] = type; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
  let resp;
  try {
    resp = await fetch(BASE + path, { method, headers, body: payload, cache: 'no-store', credentials: 'omit' });
  } catch (err) {
    if (navigator.onLine === false) throw new ApiError('offline', '没有网络：联网后自动发送');
    throw new ApiError('unreachable', '连不上服务器：手机有网络，但服务器没有应答，稍后自动重试');
  }
  const isJson = (resp.headers.get('Content-Type') || '').split(';')[0].trim() === 'application/json';
  let data = null;
  if (isJson) {
    try { data = await resp.json(); } catch (_) { data = null; }
  }
  if (resp.status === 401 && data && data.error) throw new ApiError('auth', '登录已失效，请重新登录', { status: 401 });
  if (resp.status === 503 || resp.status === 429 || resp.status === 502 || resp.status === 504) {
    throw new ApiError('retry', (data && data.error && data.error.message) || '服务器繁忙，稍后重试', { status: resp.status });
  }
  if (!isJson && resp.status >= 500) throw new ApiError('retry', `服务器出错了（${resp.status}），稍后自动重试`, { status: resp.status });
  if (!isJson || data === null || typeof data !== 'object') {
    throw new ApiError('portal', '收到的不是系统的应答（可能是Wi-Fi登录页），稍后重试', { status: resp.status });
  }
  if (!resp.ok) {
    const e = data.error || {};
    throw new ApiError('http', e.message || `请求失败（${resp.status}）`, { status: resp.status, fields: e.fields || null });
  }
  return { status: resp.status, data };
}

function shape(ok, what) {
  if (!ok) throw new ApiError('portal', `${what}的应答格式不对，稍后重试`);
}

/** Log in; returns {token, device}. */
export async function login(username, password, deviceName) {
  const { data } = await call('POST', 'auth/token', { body: { username, password, device_name: deviceName }, auth: false });
  shape(typeof data.token === 'string' && data.token.length > 10 && data.device, '登录');
  return data;
}

export async function me() {
  const { data } = await call('GET', 'me');
  shape(Number.isInteger(data.id) && typeof data.username === 'string', '用户信息');
  return data;
}

/** One page of the pull. */
export async function pull(cursor, limit = 2000) {
  const { data } = await call('GET', `sync/pull?cursor=${encodeURIComponent(cursor)}&limit=${limit}`);
  shape(data.protocol === 1 && Number.isInteger(data.cursor) && typeof data.more === 'boolean'
    && data.records && typeof data.records === 'object' && Array.isArray(data.tombstones), '同步');
  return data;
}

/** Push changes; returns the results, only for ids that were sent. */
export async function push(changes) {
  const { data } = await call('POST', 'sync/push', { body: { changes } });
  shape(data.protocol === 1 && Array.isArray(data.results), '发送');
  const sent = new Set(changes.map((c) => c.id.toLowerCase()));
  for (const r of data.results) {
    shape(r && typeof r.id === 'string' && sent.has(r.id.toLowerCase()) && STATUSES.has(r.status), '发送');
  }
  return data.results;
}

/** Upload a photo; resolves only when the server confirmed it holds exactly these bytes. */
export async function putPhoto(sha, bytes, type) {
  const { status, data } = await call('PUT', `photos/${sha}`, { bytes, type });
  shape((status === 200 || status === 201) && data.photo && data.photo.sha256 === sha
    && (data.status === 'stored' || data.status === 'exists'), '照片上传');
  return data;
}

export async function revokeToken(id) {
  const { data } = await call('DELETE', `tokens/${id}`);
  return data;
}
