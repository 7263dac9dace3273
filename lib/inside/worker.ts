// A Worker whose thread is created, and so lives, inside a namespace: every
// socket its event loop opens, and every child it spawns, is made there.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { NamespaceRef } from '../ref';

export function workerIn(ns: NamespaceRef, filename: string | URL, options?: WorkerOptions): Worker {
  return ns.enter(() => new Worker(filename, options));
}
