/**
 * A worker thread that runs jobs of one kind (src/workers/*.mjs) on one thread, in the order they
 * arrive; replies are matched to jobs by id.
 * Generation uses them for the few costly steps that can run beside the main thread on large
 * documents: formatting the largest files, validating the document. The worker is started on the
 * first job and stopped by `close()`; it never keeps the process alive on its own (`unref`).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from './paths.js';

/** Reply of a worker script: the job's id and its result or error message. */
interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

export class WorkerJobs<Job extends object, Result> {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (result: Result) => void; reject: (error: Error) => void }>();

  /** `script`: file name under src/workers/. */
  constructor(private readonly script: string) {}

  /** Runs one job in the worker; rejects with the worker's error message. */
  run(job: Job): Promise<Result> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...job, id });
    });
  }

  /** Stops the worker (jobs still pending are rejected). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(path.join(packageRoot, 'src', 'workers', this.script));
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      // Idle workers must not keep the process alive.
      if (this.pending.size === 0) worker.unref();
      if (reply.error !== undefined) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.result as Result);
    });
    const failAll = (error: Error): void => {
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`worker ${this.script} stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
