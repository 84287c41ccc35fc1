/** out/console: where `npm run build` and `npm start` put the console, and the hub looks. */
export declare const CONSOLE_OUT: string;
/** Builds head office's web console (console/) into `outdir`. */
export declare function buildConsole(outdir?: string): Promise<void>;
