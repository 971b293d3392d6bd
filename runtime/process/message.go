package process

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"reflect"
)

// maxMessage bounds the size of one message on a connection.
const maxMessage = 1 << 30

// send writes msg, a struct, to w as one length-prefixed message.
func send(w io.Writer, msg any) error {
	v := reflect.ValueOf(msg)
	b, err := encode(v.Type(), v)
	if err != nil {
		return err
	}
	frame := binary.AppendUvarint(make([]byte, 0, len(b)+binary.MaxVarintLen64), uint64(len(b)))
	_, err = w.Write(append(frame, b...))
	return err
}

// receive reads one message from r into the struct that msg points to.
func receive(r *bufio.Reader, msg any) error {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	if n > maxMessage {
		return fmt.Errorf("message of %d bytes is too large", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return decode(b, reflect.ValueOf(msg).Elem())
}

// job asks a child to call a function.
type job struct {
	Func    string   // the name the child resolves
	Process string   // the name of the child process, for Current
	Once    bool     // exit after this call, with an exit code that tells how it went
	Args    [][]byte // each argument encoded with its parameter's type
}

// Outcomes of a job.
const (
	outcomeReturned uint8 = iota // the function returned; Message is its error, if any
	outcomePanicked              // the function panicked; Message and Stack describe the panic
	outcomeExited                // the function called runtime.Goexit
	outcomeFailed                // the call could not be made; Message says why
)

// reply is a child's answer to a job.
type reply struct {
	Outcome  uint8
	HasError bool   // the function returned a non-nil error
	Message  string // the error or panic message
	Stack    []byte // the stack of a panic
	Result   []byte // the value the function returned, encoded as any
}
