/** Metadata keys the console's decorators set and its guard reads. */
export const ANONYMOUS_PAGE_KEY = 'mash:console-anonymous';
export const CONSOLE_PAGE_KEY = 'mash:console-page';
