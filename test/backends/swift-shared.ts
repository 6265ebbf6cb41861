/**
 * The one Swift of swift.test.ts and the cases it imports (swift-store.cases.ts, swift-proxy.cases.ts): started on first
 * use with every container they need, stopped once after them. Swift's five Python processes take
 * 5 to 30 s to start on the shared 2-core machine, which two test files paid twice.
 */
import { startSwift, type SwiftHandle } from '../servers/swift.js';

let started: Promise<SwiftHandle> | undefined;

/** The file's Swift, with the containers `conformance`, `other`, `moves` and `doctor`. */
export function swiftServer(): Promise<SwiftHandle> {
  started ??= startSwift({ containers: ['conformance', 'other', 'moves', 'doctor'] });
  return started;
}

/** Stops it, if it was started (once, however many suites call this). */
export async function stopSwiftServer(): Promise<void> {
  const running = started;
  started = undefined;
  await (await running?.catch(() => undefined))?.stop();
}
