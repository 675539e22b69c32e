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

// TestFind reads the limit from cgroup layouts, v1, v2 and hybrid, with
// and without mountinfo, and refuses limit files that hold no limit.
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
		{"mountinfo: v2 beside v1 (hybrid, memory on the unified tree)", cgroups("proc/self/cgroup", "4:cpu:/\n0::/user.slice\n",
			"proc/self/mountinfo", "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n30 31 0:26 / /sys/fs/cgroup/unified rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n",
			"sys/fs/cgroup/unified/user.slice/memory.max", "734003200\n",
			"sys/fs/cgroup/user.slice/memory.max", "1\n"),
			Limit{734003200, "/sys/fs/cgroup/unified/user.slice/memory.max"}, true, ""},
		{"mountinfo: v1 mount whose root is the group (Docker, no namespace)", cgroups("proc/self/cgroup", v1Self,
			"proc/self/mountinfo", "40 31 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid master:15 - cgroup cgroup rw,memory\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes", "209715200\n"),
			Limit{209715200, "/sys/fs/cgroup/memory/memory.limit_in_bytes"}, true, ""},
		{"mountinfo: group below the mount's root group", cgroups("proc/self/cgroup", "0::/kubepods/pod1/ctr\n",
			"proc/self/mountinfo", "50 40 0:40 /kubepods /mnt/cg rw - cgroup2 cgroup2 rw\n",
			"mnt/cg/pod1/ctr/memory.max", "max\n",
			"mnt/cg/pod1/memory.max", "104857600\n"),
			Limit{104857600, "/mnt/cg/pod1/memory.max"}, true, ""},
		{"mountinfo: escaped mount point", cgroups("proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", "50 40 0:40 / /mnt/my\\040cg rw - cgroup2 none rw\n",
			"mnt/my cg/memory.max", "4194304\n"),
			Limit{4194304, "/mnt/my cg/memory.max"}, true, ""},
		{"mountinfo: no cgroup mount, the usual paths unread", cgroups("proc/self/cgroup", v2Self,
			"proc/self/mountinfo", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n",
			"sys/fs/cgroup/memory.max", "4096\n"), Limit{}, false, ""},
		{"mountinfo: v1 mount of another controller", cgroups("proc/self/cgroup", "4:memory:/\n",
			"proc/self/mountinfo", "32 31 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,cpu\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes", "4096\n"), Limit{}, false, ""},
		{"mountinfo: empty mount source", cgroups("proc/self/cgroup", "4:memory:/\n",
			"proc/self/mountinfo", "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup  rw,memory\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes", "4096\n"),
			Limit{4096, "/sys/fs/cgroup/memory/memory.limit_in_bytes"}, true, ""},
		{"mountinfo: another group's subtree is not read", cgroups("proc/self/cgroup", "4:memory:/mine\n",
			"proc/self/mountinfo", "35 31 0:32 /other /mnt/other rw - cgroup cgroup rw,memory\n36 31 0:32 /mine/child /mnt/child rw - cgroup cgroup rw,memory\n",
			"mnt/other/memory.limit_in_bytes", "4096\n",
			"mnt/child/memory.limit_in_bytes", "8192\n"), Limit{}, false, ""},
		{"mountinfo: malformed lines skipped", cgroups("proc/self/cgroup", "0::/\n",
			"proc/self/mountinfo", "garbage\n1 2 - \n1 2 3 4 5 - cgroup2\n9 8 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			"sys/fs/cgroup/memory.max", "8192\n"),
			Limit{8192, "/sys/fs/cgroup/memory.max"}, true, ""},
		{"huge /proc/self/cgroup", cgroups("proc/self/cgroup", strings.Repeat("x", maxProcFileBytes+1)),
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

// Open fails with e.err.
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

// FuzzFind reads any /proc/self/cgroup and limit files: no panic, and a
// limit found is a positive one below unlimited from one of the files.
func FuzzFind(f *testing.F) {
	f.Add(v2Self, "536870912\n", "max\n")
	f.Add(v1Self, "9223372036854771712\n", "1073741824\n")
	f.Add(hybridSelf, "", "2147483648")
	f.Add("9 8 0:1 /a /sys/fs/cgroup/x\\040y rw", "1\n", "2\n")
	f.Fuzz(func(t *testing.T, self, v2, v1 string) {
		fsys := cgroups("proc/self/cgroup", self,
			"proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"+self+" - cgroup cgroup rw,memory\n40 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
			"sys/fs/cgroup/memory.max", v2,
			"sys/fs/cgroup/kubepods/pod1/ctr/memory.max", v2,
			"sys/fs/cgroup/memory/memory.limit_in_bytes", v1,
			"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", v1)
		l, found, err := Find(fsys)
		if err != nil && found {
			t.Fatalf("found %+v with error %v", l, err)
		}
		if !found {
			return
		}
		if _, ok := fsys[strings.TrimPrefix(l.File, "/")]; !ok || l.Bytes <= 0 || l.Bytes >= unlimited {
			t.Fatalf("found %+v, not a positive limit below %d in one of the files", l, int64(unlimited))
		}
	})
}
