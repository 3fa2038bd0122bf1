// Test-only: a Socket.IO server with @socket.io/redis-adapter, wired the way
// the campaign API's WebSocketGateway wires it (node-redis pub and sub
// clients, createAdapter(pub, sub)), that emits world_time_changed to room
// campaign:{id} the way its WebSocketPublisherService does
// (server.to(room).emit(event.type, event)), with the payload shape of
// createWorldTimeChangedEvent in its packages/shared.
//
//   node emit_world_time.js REDIS_URL CAMPAIGN_ID PREVIOUS_ISO NEW_ISO
//
// Prints "ready" once both Redis clients are connected and the adapter is
// attached; then, for each line read on stdin: "emit" emits once and prints
// "emitted", "emit-other" emits another event to the same room first (that
// the decoder must ignore) and prints "emitted". Ends on stdin EOF.
'use strict';
const readline = require('readline');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

async function main() {
  const [url, campaignId, previousTime, newTime] = process.argv.slice(2);
  if (!newTime) {
    console.error('usage: emit_world_time.js REDIS_URL CAMPAIGN_ID PREVIOUS_ISO NEW_ISO');
    process.exit(2);
  }
  const pubClient = createClient({ url });
  const subClient = pubClient.duplicate();
  pubClient.on('error', (e) => console.error('pub client error:', e.message));
  subClient.on('error', (e) => console.error('sub client error:', e.message));
  await Promise.all([pubClient.connect(), subClient.connect()]);

  const io = new Server();
  io.adapter(createAdapter(pubClient, subClient));
  const room = `campaign:${campaignId}`;
  const event = () => {
    const elapsedSeconds = Math.floor((Date.parse(newTime) - Date.parse(previousTime)) / 1000);
    return {
      type: 'world_time_changed',
      timestamp: new Date().toISOString(),
      payload: {
        campaignId,
        previousTime,
        newTime,
        elapsed: elapsedSeconds > 0 ? { value: elapsedSeconds, unit: 'seconds' } : undefined,
      },
      metadata: { userId: 'user-1', source: 'api', correlationId: undefined },
    };
  };
  console.log('ready');

  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line === 'emit-other') {
      io.to(room).emit('entity_updated', { type: 'entity_updated', payload: { campaignId } });
    }
    if (line === 'emit' || line === 'emit-other') {
      const e = event();
      io.to(room).emit(e.type, e);
      console.log('emitted');
    }
  }
  await Promise.allSettled([pubClient.quit(), subClient.quit()]);
  process.exit(0);
}

main().catch((e) => {
  console.error('emit_world_time.js:', e && e.stack ? e.stack : e);
  process.exit(1);
});
