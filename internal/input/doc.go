// Package input turns the paths given to `keikai analyze` into an ordered stream of line-aligned
// chunks that the parallel analysis pipeline can hand to any number of workers.
//
// Plan expands the command line (files, directories, "-" for stdin, FIFOs) into Sources in a
// deterministic order. Run reads them one after another, decompresses gzip and bzip2 transparently
// (recognised by content, not by name; xz and zstd are reported with the command that feeds
// them), and cuts the bytes
// into Chunks that never split a line, numbered so that workers can process them out of order and
// the results can still be put back in order. Buffers come from a fixed pool: Run waits when every
// buffer is still held by a consumer, so memory stays bounded by about
// Buffers*(ChunkSize+MaxLine) however large the input or any line in it is.
//
// Input is hostile: invalid UTF-8, NUL and control bytes pass through untouched; a line longer than
// MaxLine is cut to its first MaxLine bytes and reported; a truncated or corrupt compressed file delivers
// what was decompressed and then one warning. Every problem is reported once through the warn
// callback and the rest of the input is still read.
package input
