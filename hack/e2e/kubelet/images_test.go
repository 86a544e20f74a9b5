//go:build e2e

package kubelet

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// imageFile is one file of a locally built image.
type imageFile struct {
	data    []byte
	mode    int64
	symlink string // a symbolic link to this target when set
	dir     bool
}

// image is a single-layer image built without a registry or a container builder.
type image struct {
	name       string // localhost/<name>:<tag>, what pods refer to
	files      map[string]imageFile
	entrypoint []string
}

func newImage(name string) *image {
	return &image{name: name, files: map[string]imageFile{}}
}

func (im *image) file(path string, data []byte, mode int64) {
	im.files[strings.TrimPrefix(path, "/")] = imageFile{data: data, mode: mode}
}

func (im *image) dir(path string, mode int64) {
	im.files[strings.TrimPrefix(path, "/")] = imageFile{dir: true, mode: mode}
}

func (im *image) link(path, target string) {
	im.files[strings.TrimPrefix(path, "/")] = imageFile{symlink: target, mode: 0o777}
}

// layer is the image's one layer as a tar stream, entries sorted, parents first
// (directories a file needs are added as 0755).
func (im *image) layer() []byte {
	entries := map[string]imageFile{}
	for path, f := range im.files {
		entries[path] = f
		for d := filepath.Dir(path); d != "." && d != "/"; d = filepath.Dir(d) {
			if _, ok := entries[d]; !ok {
				if _, own := im.files[d]; !own {
					entries[d] = imageFile{dir: true, mode: 0o755}
				}
			}
		}
	}
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range paths {
		f := entries[p]
		h := &tar.Header{Name: p, Mode: f.mode, Format: tar.FormatPAX}
		switch {
		case f.dir:
			h.Typeflag, h.Name = tar.TypeDir, p+"/"
		case f.symlink != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, f.symlink
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		must(tw.WriteHeader(h))
		if h.Typeflag == tar.TypeReg {
			_, err := tw.Write(f.data)
			must(err)
		}
	}
	must(tw.Close())
	return buf.Bytes()
}

// archive is the image as an OCI image layout in a tar stream (oci-layout, index.json
// naming it with the io.containerd.image.name annotation, blobs/sha256/…), what
// `ctr images import` reads.
func (im *image) archive() []byte {
	layer := im.layer()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write(layer)
	must(err)
	must(zw.Close())
	blobs := map[string][]byte{}
	add := func(data []byte) string {
		sum := sha256.Sum256(data)
		d := "sha256:" + hex.EncodeToString(sum[:])
		blobs[d] = data
		return d
	}
	diffID := sha256.Sum256(layer)
	config, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config": map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, "Entrypoint": im.entrypoint},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(diffID[:])}},
	})
	configDigest := add(config)
	layerDigest := add(gz.Bytes())
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": configDigest, "size": len(config)},
		"layers": []any{map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layerDigest, "size": gz.Len()}},
	})
	manifestDigest := add(manifest)
	tag := im.name[strings.LastIndex(im.name, ":")+1:]
	index, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
		"manifests": []any{map[string]any{
			"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifestDigest, "size": len(manifest),
			"platform":    map[string]any{"architecture": "amd64", "os": "linux"},
			"annotations": map[string]any{"io.containerd.image.name": im.name, "org.opencontainers.image.ref.name": tag},
		}},
	})
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	put := func(name string, data []byte) {
		must(tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(data)
		must(err)
	}
	put("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	put("index.json", index)
	digests := make([]string, 0, len(blobs))
	for d := range blobs {
		digests = append(digests, d)
	}
	sort.Strings(digests)
	for _, d := range digests {
		put("blobs/sha256/"+strings.TrimPrefix(d, "sha256:"), blobs[d])
	}
	must(tw.Close())
	return out.Bytes()
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// goBinary builds a main package of this repository statically (no cgo), so it is the
// only thing its image needs.
func goBinary(t *testing.T, pkg string) []byte {
	t.Helper()
	// Not t.TempDir: an interrupted test exits from its signal handler, which removes
	// only the node's directory.
	dir, err := os.MkdirTemp("", "flk-build-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = testenv.RepoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// staticProgram reads a program of a Debian package that must be statically linked
// (busybox-static, bash-static): an image holds no libraries.
func staticProgram(t *testing.T, tool string) []byte {
	t.Helper()
	path, err := filepath.EvalSymlinks(testenv.Tool(t, tool))
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatalf("%s (%s) is dynamically linked: install Debian's %s", tool, path, tool)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// pauseImage is the sandbox image: the static pause program alone.
func pauseImage(t *testing.T) *image {
	im := newImage("localhost/flux-ledger-e2e/pause:1")
	im.file("/pause", goBinary(t, "./hack/e2e/kubelet/pause"), 0o755)
	im.entrypoint = []string{"/pause"}
	return im
}

// toolsImage is busybox-static with one link per applet, bash-static as /bin/bash
// (the node scripts need bash's /dev/tcp), /etc/passwd and /etc/group with the uid and
// gid 1000 the rendered pods run as, and /tmp 1777.
func toolsImage(t *testing.T, name string) *image {
	t.Helper()
	im := newImage(name)
	busybox := staticProgram(t, "busybox-static")
	im.file("/bin/busybox", busybox, 0o755)
	list, err := exec.Command(testenv.Tool(t, "busybox-static"), "--list-full").Output()
	if err != nil {
		t.Fatalf("busybox --list-full: %v", err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet == "bin/busybox" || applet == "bin/bash" || applet == "bin/sh" {
			continue
		}
		im.link("/"+applet, "/bin/busybox")
	}
	im.link("/bin/sh", "/bin/busybox")
	im.file("/bin/bash", staticProgram(t, "bash-static"), 0o755)
	im.file("/etc/passwd", []byte("root:x:0:0:root:/root:/bin/sh\nbesu:x:1000:1000:besu:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"), 0o644)
	im.file("/etc/group", []byte("root:x:0:\nbesu:x:1000:\nnobody:x:65534:\n"), 0o644)
	im.dir("/tmp", 0o1777)
	im.dir("/root", 0o700)
	im.entrypoint = []string{"/bin/sh"}
	return im
}

// importImage loads an image into containerd's k8s.io namespace, where the CRI
// plugin finds it; pods never pull.
func (n *node) importImage(t *testing.T, im *image) {
	t.Helper()
	file := filepath.Join(n.dir, "image.tar")
	if err := os.WriteFile(file, im.archive(), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(file)
	cmd := exec.Command(testenv.Tool(t, "ctr"), "--address", n.socket, "--namespace", "k8s.io", "images", "import", file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import %s: %v\n%s", im.name, err, out)
	}
}
