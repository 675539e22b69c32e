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

// maxSelfCgroupBytes bounds what is read of /proc/self/cgroup, which
// holds a line per v1 hierarchy (a dozen or so).
const maxSelfCgroupBytes = 64 << 10

// Limit is a memory limit and the file that sets it.
type Limit struct {
	Bytes int64
	File  string // its absolute path
}

// Find returns the lowest memory limit set on the control group the
// reading process is in or on any of its ancestors that fsys shows, under
// cgroup v2 (a unified hierarchy mounted at /sys/fs/cgroup) or v1 (the
// memory controller's hierarchy at /sys/fs/cgroup/memory), and whether
// there is one. fsys is the root of the file system (os.DirFS("/")).
//
// In a container with a cgroup namespace, the process's group is the
// root of the hierarchy the container sees; without one, the group's
// path is the host's, and the container sees only its own group at the
// root of the mount: both are found, by looking at every directory from
// the group's path up to the root. A hierarchy that is not mounted where
// expected, or an unreadable file, is no limit; a limit file that holds
// neither a number nor "max" is an error.
func Find(fsys fs.FS) (Limit, bool, error) {
	self, err := readSmall(fsys, "proc/self/cgroup")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Limit{}, false, nil // not Linux, or no /proc
		}
		return Limit{}, false, err
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
		var dir, file string
		switch {
		case id == "0" && controllers == "":
			dir, file = "sys/fs/cgroup", "memory.max"
		case hasController(controllers, "memory"):
			dir, file = "sys/fs/cgroup/memory", "memory.limit_in_bytes"
		default:
			continue
		}
		l, ok, err := lowest(fsys, dir, group, file)
		if err != nil {
			return Limit{}, false, err
		}
		if ok && (!found || l.Bytes < best.Bytes) {
			best, found = l, true
		}
	}
	return best, found, nil
}

// hasController reports whether list, a comma-separated controller list
// of /proc/self/cgroup, names name.
func hasController(list, name string) bool {
	for c := range strings.SplitSeq(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// lowest returns the lowest limit that the file named file sets in the
// directory of group under mount or in any directory above it, up to
// mount itself.
func lowest(fsys fs.FS, mount, group, file string) (Limit, bool, error) {
	var best Limit
	found := false
	// path.Clean of a rooted path never climbs above the root, whatever
	// ".." the group holds.
	for g := path.Clean("/" + group); ; g = path.Dir(g) {
		name := path.Join(mount, g, file)
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
// maxSelfCgroupBytes (the kernel's files are a line or a few dozen).
func readSmall(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSelfCgroupBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSelfCgroupBytes {
		return nil, fmt.Errorf("/%s: larger than %d bytes", name, maxSelfCgroupBytes)
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
