// The yardstick for forward-auth throughput: a bare fastify server answering 200 with a small JSON
// body, started like the service (its own process, pinned to core 0). Prints its address, one line.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', (_request, reply) => reply.code(200).send({ allow: true }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${address}\n`);
