// The examples run inside the ferroq repository, so they reach the package by
// path. In an app this module is simply `from 'ferroq'`.
export * from '../..'
