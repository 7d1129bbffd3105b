/** The page's fixed elements (the skeleton is in index.html; this code fills it in). */
import { byId } from './dom.js';

export interface Ui {
  app: HTMLElement;
  checkNow: HTMLButtonElement;
  checkNowLabel: HTMLElement;
  status: HTMLElement;
  statusIcon: HTMLElement;
  badge: HTMLElement;
  headline: HTMLElement;
  progress: HTMLElement;
  statusMeta: HTMLElement;
  blocked: HTMLElement;
  alerts: HTMLElement;
  problem: HTMLElement;
  problemMessage: HTMLElement;
  problemCode: HTMLElement;
  notices: HTMLElement;
  noticeList: HTMLUListElement;
  checksSummary: HTMLElement;
  checks: HTMLUListElement;
  lastCheck: HTMLElement;
  lastDelivery: HTMLElement;
  nextCheck: HTMLElement;
  deviceId: HTMLElement;
  copy: HTMLButtonElement;
  copyLabel: HTMLElement;
  copySuffix: HTMLElement;
  policy: HTMLElement;
  tiers: HTMLElement;
  service: HTMLElement;
  startAtLogin: HTMLInputElement;
  collectedList: HTMLElement;
  sentTo: HTMLElement;
  announcer: HTMLElement;
}

export function findUi(): Ui {
  return {
    app: byId('app', HTMLElement),
    checkNow: byId('check-now', HTMLButtonElement),
    checkNowLabel: byId('check-now-label', HTMLElement),
    status: byId('status', HTMLElement),
    statusIcon: byId('status-icon', HTMLElement),
    badge: byId('badge', HTMLElement),
    headline: byId('headline', HTMLElement),
    progress: byId('progress', HTMLElement),
    statusMeta: byId('status-meta', HTMLElement),
    blocked: byId('blocked', HTMLElement),
    alerts: byId('alerts', HTMLElement),
    problem: byId('problem', HTMLElement),
    problemMessage: byId('problem-message', HTMLElement),
    problemCode: byId('problem-code', HTMLElement),
    notices: byId('notices', HTMLElement),
    noticeList: byId('notice-list', HTMLUListElement),
    checksSummary: byId('checks-summary', HTMLElement),
    checks: byId('checks', HTMLUListElement),
    lastCheck: byId('last-check', HTMLElement),
    lastDelivery: byId('last-delivery', HTMLElement),
    nextCheck: byId('next-check', HTMLElement),
    deviceId: byId('device-id', HTMLElement),
    copy: byId('copy-device-id', HTMLButtonElement),
    copyLabel: byId('copy-label', HTMLElement),
    copySuffix: byId('copy-suffix', HTMLElement),
    policy: byId('policy', HTMLElement),
    tiers: byId('tiers', HTMLElement),
    service: byId('service', HTMLElement),
    startAtLogin: byId('start-at-login', HTMLInputElement),
    collectedList: byId('collected-list', HTMLElement),
    sentTo: byId('sent-to', HTMLElement),
    announcer: byId('announcer', HTMLElement),
  };
}
