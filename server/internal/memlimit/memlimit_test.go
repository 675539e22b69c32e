package memlimit

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
)

// cgroups builds a root file system from pairs of path and content.
func cgroups(files ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i+1 < len(files); i += 2 {
		m[files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	return m
}

const (
	v2Self = "0::/kubepods/pod1/ctr\n"
	v1Self = "12:pids:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n"
	// hybrid: v1 controllers and an empty unified hierarchy.
	hybridSelf = "4:cpu,cpuacct:/\n3:memory:/user.slice\n0::/user.slice\n"
)

func TestFind(t *testing.T) {
	tests := []struct {
		name      string
		fsys      fs.FS
		want      Limit
		wantFound bool
		wantErr   string
	}{
		{"no /proc", cgroups(), Limit{}, false, ""},
		{"v2 own group", cgroups("proc/self/cgroup", v2Self,
			"sys/fs/cgroup/kubepods/pod1/ctr/memory.max", "536870912\n",
			"sys/fs/cgroup/memory.max", "max\n"),
			Limit{536870912, "/sys/fs/cgroup/kubepods/pod1/ctr/memory.max"}, true, ""},
		{"v2 pod's limit lower than the container's", cgroups("proc/self/cgroup", v2Self,
			"sys/fs/cgroup/kubepods/pod1/ctr/memory.max", "max\n",
			"sys/fs/cgroup/kubepods/pod1/memory.max", "268435456\n",
			"sys/fs/cgroup/kubepods/memory.max", "8589934592\n"),
			Limit{268435456, "/sys/fs/cgroup/kubepods/pod1/memory.max"}, true, ""},
		{"v2 in a cgroup namespace", cgroups("proc/self/cgroup", "0::/\n",
			"sys/fs/cgroup/memory.max", "104857600\n"),
			Limit{104857600, "/sys/fs/cgroup/memory.max"}, true, ""},
		{"v2 host path unseen, own group at the root", cgroups("proc/self/cgroup", v2Self,
			"sys/fs/cgroup/memory.max", "104857600\n"),
			Limit{104857600, "/sys/fs/cgroup/memory.max"}, true, ""},
		{"v2 no limit anywhere", cgroups("proc/self/cgroup", v2Self,
			"sys/fs/cgroup/kubepods/pod1/ctr/memory.max", "max\n"), Limit{}, false, ""},
		{"v2 not mounted", cgroups("proc/self/cgroup", v2Self), Limit{}, false, ""},
		{"v1 limit", cgroups("proc/self/cgroup", v1Self,
			"sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n",
			"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "1073741824\n"),
			Limit{1073741824, "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes"}, true, ""},
		{"v1 unlimited", cgroups("proc/self/cgroup", v1Self,
			"sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n"), Limit{}, false, ""},
		{"v1 past int64", cgroups("proc/self/cgroup", v1Self,
			"sys/fs/cgroup/memory/memory.limit_in_bytes", "18446744073709551615\n"), Limit{}, false, ""},
		{"hybrid: v1 memory, v2 without it", cgroups("proc/self/cgroup", hybridSelf,
			"sys/fs/cgroup/memory/user.slice/memory.limit_in_bytes", "2147483648\n",
			"sys/fs/cgroup/user.slice/cgroup.procs", "1\n"),
			Limit{2147483648, "/sys/fs/cgroup/memory/user.slice/memory.limit_in_bytes"}, true, ""},
		{"both hierarchies: the lower", cgroups("proc/self/cgroup", "3:memory:/a\n0::/a\n",
			"sys/fs/cgroup/memory/a/memory.limit_in_bytes", "3000000\n",
			"sys/fs/cgroup/a/memory.max", "2000000\n"),
			Limit{2000000, "/sys/fs/cgroup/a/memory.max"}, true, ""},
		{"a group path that climbs stays under the mount", cgroups("proc/self/cgroup", "0::/../../etc\n",
			"sys/fs/cgroup/memory.max", "4096\n", "etc/memory.max", "1\n"),
			Limit{4096, "/sys/fs/cgroup/memory.max"}, true, ""},
		{"malformed lines skipped", cgroups("proc/self/cgroup", "garbage\n7\n:\n0::/\n",
			"sys/fs/cgroup/memory.max", "65536\n"),
			Limit{65536, "/sys/fs/cgroup/memory.max"}, true, ""},
		{"bad limit file", cgroups("proc/self/cgroup", "0::/\n",
			"sys/fs/cgroup/memory.max", "lots\n"), Limit{}, false, `/sys/fs/cgroup/memory.max: "lots" is neither`},
		{"negative limit", cgroups("proc/self/cgroup", "0::/\n",
			"sys/fs/cgroup/memory.max", "-1\n"), Limit{}, false, `"-1" is not a positive number`},
		{"zero limit", cgroups("proc/self/cgroup", "0::/\n",
			"sys/fs/cgroup/memory.max", "0\n"), Limit{}, false, `"0" is not a positive number`},
		{"huge /proc/self/cgroup", cgroups("proc/self/cgroup", strings.Repeat("x", maxSelfCgroupBytes+1)),
			Limit{}, false, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := Find(tt.fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error: got %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: got %v, want none", err)
			}
			if got != tt.want || found != tt.wantFound {
				t.Errorf("got %+v, %v, want %+v, %v", got, found, tt.want, tt.wantFound)
			}
		})
	}
}

// errFS fails every open with err.
type errFS struct{ err error }

func (e errFS) Open(string) (fs.File, error) { return nil, e.err }

// TestFindUnreadable checks that /proc/self/cgroup that cannot be read
// for another reason than its absence is an error, and a limit file that
// cannot be read is no limit.
func TestFindUnreadable(t *testing.T) {
	if _, _, err := Find(errFS{fs.ErrPermission}); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("unreadable /proc/self/cgroup: got %v, want %v", err, fs.ErrPermission)
	}
	fsys := cgroups("proc/self/cgroup", "0::/\n", "sys/fs/cgroup/memory.max", "1000\n")
	fsys["sys/fs/cgroup/memory.max"].Mode = fs.ModeDir // reading a directory fails
	if l, found, err := Find(fsys); err != nil || found {
		t.Errorf("unreadable limit file: got %+v, %v, %v, want no limit and no error", l, found, err)
	}
}

// TestFindHere runs Find on this machine's own file system: whatever it
// finds, it must not fail.
func TestFindHere(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("cgroups are Linux's")
	}
	l, found, err := Find(os.DirFS("/"))
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	t.Logf("limit %+v, found %v", l, found)
}

func FuzzFind(f *testing.F) {
	f.Add(v2Self, "536870912\n", "max\n")
	f.Add(v1Self, "9223372036854771712\n", "1073741824\n")
	f.Add(hybridSelf, "", "2147483648")
	f.Fuzz(func(t *testing.T, self, v2, v1 string) {
		fsys := cgroups("proc/self/cgroup", self,
			"sys/fs/cgroup/memory.max", v2,
			"sys/fs/cgroup/kubepods/pod1/ctr/memory.max", v2,
			"sys/fs/cgroup/memory/memory.limit_in_bytes", v1,
			"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", v1)
		l, found, err := Find(fsys)
		if err != nil && found {
			t.Fatalf("found %+v with error %v", l, err)
		}
		if found && (l.Bytes <= 0 || l.Bytes >= unlimited || !strings.HasPrefix(l.File, "/sys/fs/cgroup/")) {
			t.Fatalf("found %+v", l)
		}
	})
}
