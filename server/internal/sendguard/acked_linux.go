package sendguard

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// bytesAcked returns how many bytes the connection's peer has acknowledged
// (TCP_INFO's tcpi_bytes_acked, Linux 4.1 and later; 0 before).
func bytesAcked(raw syscall.RawConn) (uint64, bool) {
	var info *unix.TCPInfo
	var err error
	if cerr := raw.Control(func(fd uintptr) {
		info, err = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); cerr != nil || err != nil {
		return 0, false
	}
	return info.Bytes_acked, true
}
