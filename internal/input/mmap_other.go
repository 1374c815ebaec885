//go:build !unix || zos

package input

import "os"

var pageSize = os.Getpagesize()

// mapFile returns nil: files are read with read() where mapping them is not implemented.
func mapFile(*os.File) []byte { return nil }

func unmap([]byte) {}

func dropPages([]byte) {}
