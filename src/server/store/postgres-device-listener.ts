/**
 * A dedicated PostgreSQL connection that LISTENs on `posture_device_changed`, so every service
 * instance learns within milliseconds that another one appraised, revoked or restored a device.
 * When the connection is lost it reconnects with backoff (100 ms doubling to 5 s); after each
 * LISTEN takes effect it asks for a full reload, since notifications sent before are gone.
 */
import pg from 'pg';
import { DEVICE_CHANGED_CHANNEL, parseDeviceChangedPayload } from './device-status-rows.js';
import type { DeviceChangeListener, DeviceChangeWatch } from './store.js';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

export function listenForDeviceChanges(connectionString: string, listener: DeviceChangeListener): DeviceChangeWatch {
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = FIRST_RETRY_MS;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const scheduleReconnect = () => {
    if (closed || retryTimer !== undefined) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const lost = (lostClient: pg.Client, error: unknown) => {
    if (client !== lostClient) return;
    client = null;
    lostClient.removeAllListeners('notification');
    lostClient.end().catch(() => undefined);
    if (closed) return;
    listener.error(error);
    scheduleReconnect();
  };

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString, keepAlive: true, application_name: 'posture-service listener', connectionTimeoutMillis: 5_000 });
    client = next;
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, new Error('Connection terminated')));
    next.on('notification', (message) => {
      if (message.channel !== DEVICE_CHANGED_CHANNEL || !message.payload) return;
      const { deviceId, seq } = parseDeviceChangedPayload(message.payload);
      listener.changed(deviceId, seq);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${DEVICE_CHANGED_CHANNEL}`);
    } catch (error) {
      lost(next, error);
      return;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    retryMs = FIRST_RETRY_MS;
    // Whatever changed before LISTEN took effect (or while disconnected) is read again now.
    listener.resync();
  };

  const started = connect();
  return {
    async close() {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      await started;
      const current = client;
      client = null;
      if (current) await current.end().catch(() => undefined);
    },
  };
}
