/**
 * A Server-Sent Events client for tests: reads a `text/event-stream` over fetch (an EventSource
 * cannot send the Authorization header) and hands back each event as it arrives.
 */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The next event, waiting up to `timeoutMs`; undefined when the stream has ended. */
  next(timeoutMs?: number): Promise<SseEvent | undefined>;
  /** Comment lines seen so far (heartbeats). */
  comments: string[];
  close(): void;
}

export async function openSse(
  url: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const queue: SseEvent[] = [];
  const comments: string[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  const notify = () => waiters.splice(0).forEach((w) => w());

  if (res.body && res.status === 200) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event: SseEvent = { event: 'message', data: '' };
            let hasData = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments.push(line.slice(1).trim());
              else if (line.startsWith('id: ')) event.id = line.slice(4);
              else if (line.startsWith('event: ')) event.event = line.slice(7);
              else if (line.startsWith('data: ')) {
                event.data += (hasData ? '\n' : '') + line.slice(6);
                hasData = true;
              }
            }
            if (hasData) queue.push(event);
            notify();
          }
        }
      } catch {
        /* aborted */
      } finally {
        ended = true;
        notify();
      }
    })();
  } else {
    ended = true;
  }

  return {
    status: res.status,
    headers: res.headers,
    comments,
    close: () => abort.abort(),
    async next(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (queue.length === 0 && !ended) {
        const left = until - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return queue.shift();
    },
  };
}
