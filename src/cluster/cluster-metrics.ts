/**
 * GET /metrics across the processes of `art50 serve`. A scrape lands on one worker (the primary
 * hands each connection to one of them), so that worker asks the primary, which gathers every
 * worker's registry with prom-client's AggregatorRegistry (counters and histograms summed, gauges
 * of Redis state taken once, see src/metrics/metrics.ts) and sends back the text.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';

const ASK = 'art50:metrics';
const ANSWER = 'art50:metrics-answer';

interface Ask { type: typeof ASK; id: number }
interface Answer { type: typeof ANSWER; id: number; text?: string; error?: string }

const isAsk = (m: unknown): m is Ask => typeof m === 'object' && m !== null && (m as Ask).type === ASK;
const isAnswer = (m: unknown): m is Answer => typeof m === 'object' && m !== null && (m as Answer).type === ANSWER;

/** In the primary: answers the workers' requests for the aggregated metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isAsk(message)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: ANSWER, id: message.id, text } satisfies Answer),
      (e: unknown) => worker.isConnected() && worker.send({ type: ANSWER, id: message.id, error: e instanceof Error ? e.message : String(e) } satisfies Answer),
    );
  });
}

/**
 * In a worker: offers `registry` to the primary's aggregation and returns the renderer for
 * /metrics. If the primary does not answer in time (a worker just died, say), the scrape gets
 * this process's own metrics rather than an error.
 */
export function clusterMetricsRenderer(registry: Registry, timeoutMs = 6000): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // prom-client installs the worker's answer to the primary's request when an AggregatorRegistry is made.
  new AggregatorRegistry();
  let next = 0;
  const waiting = new Map<number, (a: Answer) => void>();
  process.on('message', (m: unknown) => {
    if (isAnswer(m)) waiting.get(m.id)?.(m);
  });
  return () => {
    const id = next++;
    return new Promise<string>((resolve) => {
      const local = (): void => {
        waiting.delete(id);
        clearTimeout(timer);
        registry.metrics().then(resolve, () => resolve(''));
      };
      const timer = setTimeout(local, timeoutMs);
      timer.unref();
      waiting.set(id, (a) => {
        if (a.text === undefined) return local();
        waiting.delete(id);
        clearTimeout(timer);
        resolve(a.text);
      });
      if (process.send) process.send({ type: ASK, id } satisfies Ask);
      else local();
    });
  };
}
