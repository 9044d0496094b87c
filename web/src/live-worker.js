// The dedicated worker behind openStream (live-stream.js): holds the
// EventSource of one run and posts its events in batches.
import { runStream } from './live-stream.js';

let stream = null;
self.addEventListener('message', (e) => {
  if (e.data?.type === 'open' && !stream) stream = runStream(e.data.url, (m, transfer) => self.postMessage(m, transfer || []));
  else if (e.data?.type === 'close') stream?.close();
});
