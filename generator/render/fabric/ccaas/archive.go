package ccaas

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"sync"
	"time"
)

// file is one entry of a package archive.
type file struct {
	name string
	data []byte
}

// archiveTime is the modification time of every tar entry and of the gzip header: a
// fixed instant, so the bytes depend on the content only. (Fabric's own packager
// leaves it zero; a fixed date reads better in `tar -tv` than 1970, and is as stable.)
var archiveTime = time.Date(2023, time.January, 1, 0, 0, 0, 0, time.UTC)

// gzipOSUnknown is the gzip header's OS byte (RFC 1952: 255 = unknown). Go's
// compress/gzip writes 255 already; it is set here so that the bytes do not rest on a
// default.
const gzipOSUnknown = 255

// gzipWriters are reused: a new writer allocates its compressor's 700 KB of tables,
// and a party's directory holds two archives (the package and the code.tar.gz in
// it), so 300 organisations spent 0.3 s of CPU, mostly allocating and clearing
// them. Reset starts a stream exactly as a new writer would.
var gzipWriters = sync.Pool{New: func() any {
	gz, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression) // a valid level: no error
	return gz
}}

// targz writes files, in order, as a gzip-compressed tar with nothing in it that
// depends on the machine, the user or the clock:
//   - USTAR format, forced: the names are short ASCII and sizes small, so nothing needs
//     PAX records or GNU extensions, and forcing it makes the writer fail rather than
//     silently switch format. Fabric reads it with archive/tar, and so does GNU tar.
//   - regular files (Typeflag '0'): the peer refuses any other entry type
//     (core/chaincode/persistence/chaincode_package.go ParseChaincodePackage,
//     core/container/externalbuilder/tar.go Untar).
//   - mode 0644, uid/gid 0, empty user and group names, fixed ModTime.
//   - gzip at a fixed level, with no file name or comment, a fixed ModTime and the OS
//     byte set.
//
// The compressed bytes also depend on Go's compress/flate; TestPackageIDGolden fails
// if a Go release changes them, since that would change every package ID.
func targz(files []file) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(gz)
	gz.Reset(&buf)
	gz.Header = gzip.Header{ModTime: archiveTime, OS: gzipOSUnknown}
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     f.name,
			Size:     int64(len(f.data)),
			Mode:     0o644,
			ModTime:  archiveTime,
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
