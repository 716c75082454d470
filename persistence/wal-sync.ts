/**
 * Commits whose fsync runs off the event loop (issue 17). At synchronous=FULL every commit fsyncs the WAL on the
 * thread that commits, and the event loop stands still meanwhile. The group commit and the mail intake instead
 * commit at NORMAL (the WAL is written, not fsynced) and then `sync()`: an fsync of the WAL file on libuv's thread
 * pool, shared by every commit made before it started. Whoever acknowledges something (a 202, an email, a Slack
 * post) waits for that promise, so what was acknowledged is on disk as at FULL (decisions D9). Every other write
 * stays at FULL and fsyncs the WAL itself, which covers the quiet commits before it too.
 *
 * Why this is safe: in WAL mode SQLite fsyncs the WAL before a checkpoint copies it into the database and the
 * database after, whatever `synchronous` says; a WAL restarted after a checkpoint holds nothing the database file
 * does not. A killed process loses nothing either way (the written WAL is in the OS's cache); only a power cut
 * tells FULL from NORMAL, and nothing is acknowledged before its fsync.
 */
import { closeSync, fdatasync, fstatSync, openSync } from 'node:fs';
import type { Db } from './db.ts';

export interface WalSync {
  /** Runs `fn` in an IMMEDIATE transaction whose commit writes the WAL without waiting for the disk. */
  transaction(fn: () => void): void;
  /** Resolves once every commit made before the call is on disk (at once when none is waiting for it). */
  sync(): Promise<void>;
  close(): void;
}

export function createWalSync(db: Db, file: string, synchronous: 'FULL' | 'NORMAL'): WalSync {
  const quiet = db.prepare('PRAGMA synchronous = NORMAL');
  const full = db.prepare('PRAGMA synchronous = FULL');
  const walFile = `${file}-wal`;
  let fd: number | null = null;
  let written = 0; // quiet commits so far
  let synced = 0; // quiet commits on disk
  let running: Promise<void> | null = null; // the fsync in flight
  let runningUpTo = 0; // the quiet commits it covers
  let next: Promise<void> | null = null; // the one after it, shared by every caller until it starts

  /** The WAL's descriptor; opened again if the file was replaced (the last connection closed and it was removed). */
  function wal(): number {
    if (fd !== null && fstatSync(fd).nlink === 0) {
      closeSync(fd);
      fd = null;
    }
    fd ??= openSync(walFile, 'r');
    return fd;
  }

  function start(): Promise<void> {
    const upTo = written;
    runningUpTo = upTo;
    // fdatasync, as SQLite syncs its WAL: the data and the file's size, not its times.
    const done = new Promise<void>((resolve, reject) => {
      fdatasync(wal(), (error) => {
        if (error) return reject(error);
        synced = Math.max(synced, upTo);
        resolve();
      });
    }).finally(() => {
      if (running === done) running = null;
    });
    running = done;
    return done;
  }

  return {
    transaction(fn) {
      if (synchronous === 'NORMAL') return db.transaction(fn).immediate();
      quiet.run();
      try {
        db.transaction(fn).immediate();
        written++;
      } finally {
        full.run();
      }
    },
    sync() {
      if (synced >= written) return Promise.resolve();
      if (!running) return start();
      if (runningUpTo >= written) return running; // the fsync in flight covers every commit so far
      // The fsync in flight started before the caller's commit: the next one covers it.
      next ??= running
        .catch(() => {})
        .then(() => {
          next = null;
          return synced >= written ? undefined : (running ?? start());
        });
      return next;
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
