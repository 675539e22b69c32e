package memlimit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// unlimited is the smallest value taken for no limit: cgroup v1 writes
// "no limit" as the largest multiple of the page size below 2⁶³, and no
// machine has 2⁶² bytes of memory.
const unlimited = 1 << 62

// maxProcFileBytes bounds what is read of a file of /proc or of a cgroup:
// /proc/self/mountinfo holds a line per mount (a container has a few
// dozen, a host a few hundred), a limit file a line.
const maxProcFileBytes = 1 << 20

// Limit is a memory limit and the file that sets it.
type Limit struct {
	Bytes int64  // the limit, in bytes
	File  string // its absolute path
}

// hierarchy is where a cgroup hierarchy holding the memory controller is
// mounted.
type hierarchy struct {
	v2    bool
	root  string // the group at the mount's root, as /proc/self/cgroup names groups
	point string // the mount point, without its leading slash
}

// defaultHierarchies returns the usual mount points, taken when
// /proc/self/mountinfo cannot be read.
func defaultHierarchies() []hierarchy {
	return []hierarchy{
		{v2: true, root: "/", point: "sys/fs/cgroup"},
		{v2: false, root: "/", point: "sys/fs/cgroup/memory"},
	}
}

// Find returns the lowest memory limit set on the control group the
// reading process is in or on any of its ancestors that fsys shows, under
// cgroup v2 (memory.max) or v1 (the memory controller's
// memory.limit_in_bytes), and whether there is one. fsys is the root of
// the file system (os.DirFS("/")).
//
// The hierarchies are found where /proc/self/mountinfo says they are
// mounted (/sys/fs/cgroup and /sys/fs/cgroup/memory when it cannot be
// read), and the group in each from /proc/self/cgroup. The directories
// from the group's up to the mount's root are read, so a container that
// sees its own group at the root of the mount (Docker without a cgroup
// namespace) and one that sees the whole hierarchy (a systemd unit's
// MemoryMax on its slice) are both found; a mount of another group's
// subtree is not read. A group that the mount does not
// show (a cgroup namespace whose root lies below a mount of the host's
// hierarchy) is looked for at the mount's root only, which may find no
// limit. An unreadable limit file is no limit; one that holds neither a
// number nor "max" is an error.
func Find(fsys fs.FS) (Limit, bool, error) {
	self, err := readSmall(fsys, "proc/self/cgroup")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Limit{}, false, nil // not Linux, or no /proc
		}
		return Limit{}, false, err
	}
	hs := defaultHierarchies()
	if mi, err := readSmall(fsys, "proc/self/mountinfo"); err == nil {
		if hs, err = mounts(mi); err != nil {
			return Limit{}, false, err
		}
	}
	var best Limit
	found := false
	sc := bufio.NewScanner(bytes.NewReader(self))
	for sc.Scan() {
		// hierarchy-ID:controller-list:cgroup-path
		id, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		controllers, group, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		v2 := id == "0" && controllers == ""
		if !v2 && !hasController(controllers, "memory") {
			continue
		}
		file := "memory.limit_in_bytes"
		if v2 {
			file = "memory.max"
		}
		for _, h := range hs {
			if h.v2 != v2 {
				continue
			}
			l, ok, err := lowest(fsys, h, group, file)
			if err != nil {
				return Limit{}, false, err
			}
			if ok && (!found || l.Bytes < best.Bytes) {
				best, found = l, true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Limit{}, false, fmt.Errorf("/proc/self/cgroup: %w", err)
	}
	return best, found, nil
}

// mounts returns the cgroup hierarchies that mountinfo, the content of
// /proc/self/mountinfo, lists: every cgroup2 mount, and every cgroup (v1)
// mount of the memory controller.
func mounts(mountinfo []byte) ([]hierarchy, error) {
	var hs []hierarchy
	sc := bufio.NewScanner(bytes.NewReader(mountinfo))
	sc.Buffer(nil, maxProcFileBytes+1)
	for sc.Scan() {
		// ID parent major:minor root mount-point options [optional...] - type source super-options
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		// The source between the type and the super options may be
		// empty, so the options are the last field, not the third.
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 1 {
			continue
		}
		h := hierarchy{root: unescape(f[3]), point: strings.TrimPrefix(path.Clean(unescape(f[4])), "/")}
		if !strings.HasPrefix(h.root, "/") {
			continue
		}
		switch {
		case g[0] == "cgroup2":
			h.v2 = true
		case g[0] == "cgroup" && len(g) >= 2 && hasController(g[len(g)-1], "memory"):
		default:
			continue
		}
		if h.point == "" {
			h.point = "." // mounted at /
		}
		hs = append(hs, h)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("/proc/self/mountinfo: %w", err)
	}
	return hs, nil
}

// unescape undoes mountinfo's octal escapes of space, tab, newline and
// backslash ("\040").
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// hasController reports whether list, a comma-separated list of
// controllers or mount options, names name.
func hasController(list, name string) bool {
	for c := range strings.SplitSeq(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// lowest returns the lowest limit that the file named file sets in the
// directory of group under the hierarchy h or in any directory above it,
// up to the mount's root.
func lowest(fsys fs.FS, h hierarchy, group, file string) (Limit, bool, error) {
	// Cleaning a rooted path never climbs above the root, whatever ".."
	// the group holds.
	group, root := path.Clean("/"+group), path.Clean(h.root)
	rel := "/"
	switch {
	case root == "/":
		rel = group
	case group == root:
	case strings.HasPrefix(group, root+"/"):
		rel = group[len(root):]
	default:
		return Limit{}, false, nil // another group's subtree: not this process's
	}
	var best Limit
	found := false
	for g := rel; ; g = path.Dir(g) {
		name := path.Join(h.point, g, file)
		b, err := readSmall(fsys, name)
		if err == nil {
			n, limited, err := parseLimit(b)
			if err != nil {
				return Limit{}, false, fmt.Errorf("/%s: %w", name, err)
			}
			if limited && (!found || n < best.Bytes) {
				best, found = Limit{Bytes: n, File: "/" + name}, true
			}
		}
		if g == "/" {
			return best, found, nil
		}
	}
}

// parseLimit reads the content of a limit file: a number of bytes, or
// "max" (v2) or a number of 2⁶² or more (v1) for none.
func parseLimit(b []byte) (n int64, limited bool, err error) {
	s := strings.TrimSpace(string(b))
	if s == "max" {
		return 0, false, nil
	}
	n, err = strconv.ParseInt(s, 10, 64)
	if err != nil {
		// A number past int64 is no limit too.
		var num *strconv.NumError
		if errors.As(err, &num) && num.Err == strconv.ErrRange && s != "" && s[0] != '-' {
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("%q is neither a number of bytes nor \"max\"", clip(s))
	}
	if n <= 0 {
		return 0, false, fmt.Errorf("%q is not a positive number of bytes", clip(s))
	}
	return n, n < unlimited, nil
}

// readSmall reads the file name of fsys, refusing one over
// maxProcFileBytes.
func readSmall(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProcFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxProcFileBytes {
		return nil, fmt.Errorf("/%s: larger than %d bytes", name, maxProcFileBytes)
	}
	return b, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
