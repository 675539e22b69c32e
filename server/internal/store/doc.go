// Package store keeps the served model in a data directory. Writes are
// atomic: a new model is written to a temporary file in the same
// directory, synced, and renamed over the old one, and the directory is
// synced, so a crash leaves either the old or the new model, never a torn
// one.
package store
