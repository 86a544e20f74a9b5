package tree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// MaxInputSize bounds every file flux-ledger reads from the repository (CUE sources,
// identities, sealed secrets). Inputs are written by any party; without a bound one
// commit could make every party's vet, plan and CI read gigabytes. network.cue of a
// synthetic 1200-node, 300-party network (testenv.SynthNetwork) is 340 KiB: 4 MiB
// leaves room for twelve times that and still reads in a blink.
const MaxInputSize = 4 << 20

// InputError is an input refused before it is read: a symbolic link (which could
// make flux-ledger read, and show in its errors, a file outside the repository), a
// device, FIFO or socket (which could block it forever or read without end), or a
// file above MaxInputSize.
type InputError struct {
	Path, Problem string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("%s: %s; flux-ledger reads only regular files of at most %d MiB from the repository", e.Path, e.Problem, MaxInputSize>>20)
}

// inputProblem says why a file of this mode and size is not read ("" if it is).
func inputProblem(info fs.FileInfo) string {
	switch mode := info.Mode(); {
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	case mode.IsDir():
		return "a directory"
	case !mode.IsRegular():
		return fmt.Sprintf("not a regular file (%s)", mode.Type())
	case info.Size() > MaxInputSize:
		return fmt.Sprintf("%d bytes", info.Size())
	}
	return ""
}

// ReadInput reads rel (a clean slash path) below root as ReadFile would, refusing a
// symbolic link anywhere on the path with a *SymlinkError (CheckNoSymlink), and
// anything but a regular file, or a file above MaxInputSize, with an *InputError. A missing file is an error os.IsNotExist recognises.
func ReadInput(root, rel string) ([]byte, error) {
	if err := checkPath(rel); err != nil {
		return nil, err
	}
	// A link anywhere on the path is refused as the writers refuse it: in the
	// directories by CheckNoSymlink, as the file by its Lstat, which CheckNoSymlink
	// of the whole path would only have made twice.
	if dir := path.Dir(rel); dir != "." {
		if err := CheckNoSymlink(root, dir); err != nil {
			return nil, err
		}
	}
	cur := filepath.Join(root, filepath.FromSlash(rel))
	info, err := os.Lstat(cur)
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		return nil, &SymlinkError{Path: rel}
	}
	if problem := inputProblem(info); problem != "" {
		return nil, &InputError{Path: rel, Problem: problem}
	}
	// O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO since the Lstat is
	// refused, not followed or waited on.
	f, err := os.OpenFile(cur, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err = f.Stat()
	if err != nil {
		return nil, err
	}
	if problem := inputProblem(info); problem != "" {
		return nil, &InputError{Path: rel, Problem: problem}
	}
	// Read into a buffer of the size fstat gave, as os.ReadFile does: io.ReadAll
	// starts at 512 bytes and grows, several reads and copies for a sealed key, and
	// generate reads one per node. One byte more sees the end, or a file that grew.
	data := make([]byte, 0, min(info.Size(), MaxInputSize)+1)
	limited := io.LimitReader(f, MaxInputSize+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := limited.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(data) > MaxInputSize {
		return nil, &InputError{Path: rel, Problem: "more than the limit"}
	}
	return data, nil
}

// CheckInputs refuses, with an *InputError naming the first one, every entry below dir
// (dir itself included) that ReadInput would refuse: symbolic links (to files or
// directories), devices, FIFOs, sockets and files above MaxInputSize. Readers that
// hand a whole directory to another library (the CUE loader) call it first. Paths in
// errors are dir-relative, prefixed with prefix.
func CheckInputs(dir, prefix string) error {
	info, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		return &InputError{Path: strings.TrimSuffix(prefix, "/"), Problem: "a symbolic link"}
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if problem := inputProblem(info); problem != "" {
			rel, _ := filepath.Rel(dir, p)
			return &InputError{Path: prefix + filepath.ToSlash(rel), Problem: problem}
		}
		return nil
	})
}
