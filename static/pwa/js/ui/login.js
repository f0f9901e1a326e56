// Log in (online, once). An expired login keeps every unsent record; logging in again sends them.
import { esc } from '../labels.js';
import { current, login } from '../session.js';
import * as sync from '../sync.js';
import { go } from '../router.js';

export const tab = 'settings';

export async function render(main) {
  const s = await current();
  const expired = s && s.expired;
  main.innerHTML = `
    <section class="pad">
      <h1>${expired ? '重新登录' : '登录'}</h1>
      ${expired ? '<p class="note warn">登录已失效。未发送的记录都保存在本机，登录后会自动发送。</p>' : ''}
      <form id="login" class="stack" autocomplete="on">
        <label>账号<input name="username" autocomplete="username" autocapitalize="off" required
          value="${esc(s && s.user ? s.user.username : '')}"></label>
        <label>密码<input name="password" type="password" autocomplete="current-password" required></label>
        <p id="login-error" class="error" role="alert"></p>
        <button class="btn primary big" type="submit">登录</button>
      </form>
      <p class="muted">首次使用须联网登录；之后没有信号也能检查，记录会在联网后自动发送。</p>
    </section>`;
  const form = main.querySelector('#login');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = main.querySelector('#login-error');
    const btn = form.querySelector('button');
    err.textContent = '';
    btn.disabled = true;
    btn.textContent = '正在登录…';
    try {
      await login(form.username.value.trim(), form.password.value);
      form.password.value = '';
      go('#/tasks');
      sync.start();
    } catch (ex) {
      err.textContent = ex.kind === 'offline' ? '没有网络：首次登录须联网' : ex.status === 422 ? '账号或密码不正确' : (ex.message || '登录失败');
    } finally {
      btn.disabled = false;
      btn.textContent = '登录';
    }
  });
}
