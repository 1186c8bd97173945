// `pnpm playground`: serves the built page with vite preview (COOP/COEP headers, 127.0.0.1).
import { preview } from 'vite';

const server = await preview({ root: new URL('..', import.meta.url).pathname, preview: { open: false } });
server.printUrls();
