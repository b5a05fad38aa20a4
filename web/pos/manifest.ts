// The point-of-service app's web app manifest (written into dist/web/pos.webmanifest by
// web/vite.config.ts, with the icons the build renders from web/pos/icon.svg): what makes
// /pos installable on the counter's phone — its own window, starting at /pos.

/** An icon the build rendered, by its served path. */
export interface BuiltIcon {
  src: string;
  sizes: string;
  type: string;
}

/** The manifest, naming the built icons. */
export function posManifest(icons: BuiltIcon[]): Record<string, unknown> {
  return {
    name: 'Tessera — Punto de entrega',
    short_name: 'Tessera POS',
    description:
      'Entrega de beneficios en un punto de servicio, con y sin conexión. / Handing over benefits at a point of service, online and offline.',
    lang: 'es',
    id: '/pos',
    start_url: '/pos',
    scope: '/',
    display: 'standalone',
    orientation: 'portrait',
    background_color: '#f4f6f8',
    theme_color: '#0a4f94',
    icons: icons.flatMap((icon) => [
      { ...icon, purpose: 'any' },
      { ...icon, purpose: 'maskable' },
    ]),
  };
}
