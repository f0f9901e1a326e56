// Words the app shows for the server's codes.
import { chinaDate, chinaTime } from './clock.js';
export const STAGES = {
  pool: '培育库', committed: '承诺公示', profiled: '系统录入', evaluated: '后评价通过',
  sign_issued: '标识发放', sign_posted: '标识张贴', removed: '已移出',
};
export const STAGE_ORDER = ['pool', 'committed', 'profiled', 'evaluated', 'sign_issued', 'sign_posted'];
export const UNIT_TYPES = { general: '放心消费单位', no_reason_return: '无理由退货单位', factory: '放心工厂' };
export const TASK_KINDS = {
  post_evaluation: '后评价', service_visit: '服务走访', rectification: '整改复查',
  sign_check: '标识检查', complaint_check: '投诉核查',
};
export const BUSINESS = { open: '正常营业', suspended: '停业', closed: '已关闭', transferred: '已转让', deregistered: '已注销' };
export const RESULTS = { yes: '符合', no: '不符合', na: '不适用' };
export const CONCLUSIONS = { pass: '合格', rectify: '限期整改', fail: '不合格' };
export const CHANGE_TYPES = { inspection: '检查记录', unit_edit: '单位信息修改', sign_posted: '标识张贴确认' };
export const STATES = {
  draft: '草稿', waiting: '待发送', sending: '发送中', sent: '已发送 ✓', photos: '等待照片',
  conflict: '冲突', invalid: '错误', gone: '错误', error: '错误', resolved: '已处理',
};
export const RECT_STATUS = { open: '整改中', closed: '已整改', superseded: '已更正' };

export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** Today in China time as YYYY-MM-DD (offsetDays later). */
export const today = (offsetDays = 0) => chinaDate(Date.now(), offsetDays);

/** A moment for people, in China time. */
export const fmtTime = (value) => chinaTime(value);

export function fmtBytes(n) {
  if (n == null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}
