/**
 * A path bar's `~`, alone or before a separator, is the home folder: main expands it, and the
 * window leaves such a path as typed instead of taking it inside the folder shown. (`~ana` is not.)
 */
export const HOME_PREFIX = /^~(?=$|[\\/])/
