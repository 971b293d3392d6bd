package wire

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// ZMTP 3 frame flags (RFC 23).
const (
	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04
)

// appendZMTPMessage appends the ZMTP 3 encoding of a multipart message made
// of frames to dst.
func appendZMTPMessage(dst []byte, frames [][]byte) []byte {
	for i, f := range frames {
		var flags byte
		if i < len(frames)-1 {
			flags |= flagMore
		}
		dst = appendZMTPFrame(dst, flags, f)
	}
	return dst
}

// appendZMTPFrame appends one frame with flags and body to dst, choosing
// the short or long size form.
func appendZMTPFrame(dst []byte, flags byte, body []byte) []byte {
	if len(body) > 255 {
		dst = append(dst, flags|flagLong)
		dst = binary.BigEndian.AppendUint64(dst, uint64(len(body)))
	} else {
		dst = append(dst, flags, byte(len(body)))
	}
	return append(dst, body...)
}

// zmtpFrame is one frame read from a peer.
type zmtpFrame struct {
	flags byte
	body  []byte
}

func (f zmtpFrame) more() bool    { return f.flags&flagMore != 0 }
func (f zmtpFrame) command() bool { return f.flags&flagCommand != 0 }

// readZMTPFrame reads one frame from r. A body longer than maxBody is an
// error, so a peer cannot make the reader allocate without bound.
func readZMTPFrame(r *bufio.Reader, maxBody uint64) (zmtpFrame, error) {
	flags, err := r.ReadByte()
	if err != nil {
		return zmtpFrame{}, err
	}
	var size uint64
	if flags&flagLong != 0 {
		var long [8]byte
		if _, err := io.ReadFull(r, long[:]); err != nil {
			return zmtpFrame{}, err
		}
		size = binary.BigEndian.Uint64(long[:])
	} else {
		short, err := r.ReadByte()
		if err != nil {
			return zmtpFrame{}, err
		}
		size = uint64(short)
	}
	if size > maxBody {
		return zmtpFrame{}, fmt.Errorf("frame of %d bytes exceeds the limit of %d", size, maxBody)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return zmtpFrame{}, err
	}
	return zmtpFrame{flags: flags, body: body}, nil
}

// parseZMTPCommand splits a command frame body into its name and data.
func parseZMTPCommand(body []byte) (name string, data []byte, ok bool) {
	if len(body) == 0 || int(body[0]) > len(body)-1 {
		return "", nil, false
	}
	n := int(body[0])
	return string(body[1 : 1+n]), body[1+n:], true
}

// appendZMTPCommand appends a command frame named name carrying data.
func appendZMTPCommand(dst []byte, name string, data []byte) []byte {
	body := make([]byte, 0, 1+len(name)+len(data))
	body = append(body, byte(len(name)))
	body = append(body, name...)
	body = append(body, data...)
	return appendZMTPFrame(dst, flagCommand, body)
}
