package process

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Kind is the type of the numbers in a Value or Array.
type Kind uint32

// The kinds of shared numbers.
const (
	Int64   Kind = iota + 1 // int64, like Python's typecode 'q' (and used for 'i')
	Float64                 // float64, like Python's typecode 'd'
)

// String returns "int64" or "float64".
func (k Kind) String() string {
	switch k {
	case Int64:
		return "int64"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("Kind(%d)", uint32(k))
}

// Value is a number in memory shared by processes, like Python's
// multiprocessing.Value. Create one with NewValue and pass it to child
// processes as an argument, or inside other values: they map the same memory,
// so a change made by one process is seen by all.
//
// Get, Set, Add and their Float variants are each atomic. A read followed by
// a write, such as v.Set(v.Get()+1), is not: another process may write in
// between, and its update is lost. A lock shared by all processes makes such
// sequences safe, as Python's get_lock does:
//
//	v.Lock()
//	v.Set(v.Get() + 1)
//	v.Unlock()
//
// The lock is not reentrant. A process that dies while holding it does not
// block the others for long: a waiter takes over the lock of a process that
// no longer exists.
//
// Get and Set work with int64 and GetFloat and SetFloat with float64 whatever
// the Kind of the Value; numbers are converted as Go's conversions do
// (float64 to int64 truncates toward zero).
//
// The memory of a Value lives as long as the process that created it; other
// processes can receive the Value while that process lives.
type Value struct {
	seg *segment
}

// Array is a fixed-length sequence of numbers in memory shared by processes,
// like Python's multiprocessing.Array. It follows the rules of Value, with
// one lock for the whole array; an index out of range panics.
type Array struct {
	seg *segment
}

// NewValue returns a shared number of the given kind holding initial, which
// may be any integer or floating-point value. NewValue panics if kind is not
// Int64 or Float64, if initial is not a number, or if the system refuses
// shared memory.
func NewValue(kind Kind, initial any) *Value {
	s := mustSegment(kind, 1, "NewValue")
	v := &Value{seg: s}
	switch x := reflect.ValueOf(initial); {
	case initial == nil:
		panic("process: NewValue: initial value is nil, want a number")
	case x.CanInt() && kind == Int64:
		v.Set(x.Int())
	case x.CanInt():
		v.SetFloat(float64(x.Int()))
	case x.CanUint() && kind == Int64:
		v.Set(int64(x.Uint()))
	case x.CanUint():
		v.SetFloat(float64(x.Uint()))
	case x.CanFloat():
		v.SetFloat(x.Float())
	default:
		panic(fmt.Sprintf("process: NewValue: initial value is %T, want a number", initial))
	}
	s.wrapper = v
	return v
}

// NewArray returns n shared numbers of the given kind, all zero. NewArray
// panics if kind is not Int64 or Float64, if n is negative, or if the
// system refuses shared memory.
func NewArray(kind Kind, n int) *Array {
	if n < 0 {
		panic(fmt.Sprintf("process: NewArray: negative length %d", n))
	}
	s := mustSegment(kind, n, "NewArray")
	a := &Array{seg: s}
	s.wrapper = a
	return a
}

func mustSegment(kind Kind, n int, caller string) *segment {
	if kind != Int64 && kind != Float64 {
		panic(fmt.Sprintf("process: %s: invalid kind %v, want Int64 or Float64", caller, kind))
	}
	s, err := newSegment(kind, n)
	if err != nil {
		panic(fmt.Sprintf("process: %s: %v", caller, err))
	}
	return s
}

// Kind returns the kind of number v holds.
func (v *Value) Kind() Kind { return v.seg.kind }

// Get returns the number as an int64.
func (v *Value) Get() int64 { return v.seg.getInt(0) }

// Set stores x.
func (v *Value) Set(x int64) { v.seg.setInt(0, x) }

// Add adds delta atomically and returns the new number as an int64.
func (v *Value) Add(delta int64) int64 { return v.seg.addInt(0, delta) }

// GetFloat returns the number as a float64.
func (v *Value) GetFloat() float64 { return v.seg.getFloat(0) }

// SetFloat stores x.
func (v *Value) SetFloat(x float64) { v.seg.setFloat(0, x) }

// AddFloat adds delta atomically and returns the new number as a float64.
func (v *Value) AddFloat(delta float64) float64 { return v.seg.addFloat(0, delta) }

// Lock acquires the lock that v shares with every process holding v,
// waiting as long as another holds it.
func (v *Value) Lock() { v.seg.lock() }

// Unlock releases the lock. It panics if the lock is not held.
func (v *Value) Unlock() { v.seg.unlock("Value") }

// String describes v, such as "Value(int64, 42)".
func (v *Value) String() string {
	if v.seg.kind == Float64 {
		return fmt.Sprintf("Value(float64, %v)", v.GetFloat())
	}
	return fmt.Sprintf("Value(int64, %d)", v.Get())
}

// Kind returns the kind of numbers a holds.
func (a *Array) Kind() Kind { return a.seg.kind }

// Len returns the number of elements.
func (a *Array) Len() int { return a.seg.n }

// Get returns element i as an int64.
func (a *Array) Get(i int) int64 { return a.seg.getInt(a.index(i)) }

// Set stores x in element i.
func (a *Array) Set(i int, x int64) { a.seg.setInt(a.index(i), x) }

// Add adds delta to element i atomically and returns its new value as an
// int64.
func (a *Array) Add(i int, delta int64) int64 { return a.seg.addInt(a.index(i), delta) }

// GetFloat returns element i as a float64.
func (a *Array) GetFloat(i int) float64 { return a.seg.getFloat(a.index(i)) }

// SetFloat stores x in element i.
func (a *Array) SetFloat(i int, x float64) { a.seg.setFloat(a.index(i), x) }

// AddFloat adds delta to element i atomically and returns its new value as a
// float64.
func (a *Array) AddFloat(i int, delta float64) float64 {
	return a.seg.addFloat(a.index(i), delta)
}

// Ints returns a copy of the elements as int64s, each read atomically.
func (a *Array) Ints() []int64 {
	out := make([]int64, a.seg.n)
	for i := range out {
		out[i] = a.seg.getInt(i)
	}
	return out
}

// Floats returns a copy of the elements as float64s, each read atomically.
func (a *Array) Floats() []float64 {
	out := make([]float64, a.seg.n)
	for i := range out {
		out[i] = a.seg.getFloat(i)
	}
	return out
}

// Lock acquires the lock that a shares with every process holding a.
func (a *Array) Lock() { a.seg.lock() }

// Unlock releases the lock. It panics if the lock is not held.
func (a *Array) Unlock() { a.seg.unlock("Array") }

// String describes a, such as "Array(int64, [1 2 3])".
func (a *Array) String() string {
	if a.seg.kind == Float64 {
		return fmt.Sprintf("Array(float64, %v)", a.Floats())
	}
	return fmt.Sprintf("Array(int64, %v)", a.Ints())
}

func (a *Array) index(i int) int {
	if i < 0 || i >= a.seg.n {
		panic(fmt.Sprintf("process: Array index %d out of range [0:%d]", i, a.seg.n))
	}
	return i
}

// The layout of a segment: a header of headerSize bytes, then the numbers,
// eight bytes each.
const (
	offLock    = 0  // uint32: the process id of the lock's holder, 0 if free
	offMagic   = 4  // uint32
	offKind    = 8  // uint32
	offLen     = 16 // uint64
	offToken   = 24 // segmentToken
	headerSize = 64
	magic      = 0x676b7368 // "gksh"
)

// segmentToken identifies a segment, so that a process that receives one
// twice maps it once, and never mistakes another file for it.
type segmentToken [16]byte

// segment is shared memory mapped into this process.
type segment struct {
	mem   []byte
	kind  Kind
	n     int
	token segmentToken
	path  string   // how other processes open the memory
	file  *os.File // kept open by the creating process; nil elsewhere

	wrapper any // the *Value or *Array this process uses for it
}

// segments holds every segment mapped into this process, by token. It is
// process-wide because mappings are: a segment received again must be the
// same memory and the same *Value or *Array.
var segments = struct {
	mu      sync.Mutex
	byToken map[segmentToken]*segment
}{byToken: make(map[segmentToken]*segment)}

// newSegment creates shared memory for n numbers. On Linux the file is
// removed from its directory at once and other processes open it through
// /proc/PID/fd of the creating process, so nothing is left behind when that
// process ends. Elsewhere the file stays in the temporary directory.
func newSegment(kind Kind, n int) (*segment, error) {
	dir := os.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		dir = "/dev/shm"
	}
	f, err := os.CreateTemp(dir, "gokernel-shared-")
	if err != nil {
		return nil, fmt.Errorf("create shared memory: %w", err)
	}
	size := headerSize + 8*n
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("size shared memory: %w", err)
	}
	path := f.Name()
	if runtime.GOOS == "linux" {
		os.Remove(path)
		path = fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), f.Fd())
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("map shared memory: %w", err)
	}
	s := &segment{mem: mem, kind: kind, n: n, path: path, file: f}
	rand.Read(s.token[:])
	binary.LittleEndian.PutUint32(mem[offKind:], uint32(kind))
	binary.LittleEndian.PutUint64(mem[offLen:], uint64(n))
	copy(mem[offToken:], s.token[:])
	atomic.StoreUint32(s.word32(offMagic), magic)
	segments.mu.Lock()
	segments.byToken[s.token] = s
	segments.mu.Unlock()
	return s, nil
}

// openShared returns the *Value or *Array for the segment at path with the
// given token, mapping it if this process has not yet.
func openShared(path string, token segmentToken, array bool) (any, error) {
	segments.mu.Lock()
	defer segments.mu.Unlock()
	s, ok := segments.byToken[token]
	if !ok {
		var err error
		if s, err = mapSegment(path, token); err != nil {
			return nil, err
		}
		segments.byToken[token] = s
	}
	if s.wrapper == nil {
		if array {
			s.wrapper = &Array{seg: s}
		} else {
			s.wrapper = &Value{seg: s}
		}
	}
	if _, isArray := s.wrapper.(*Array); isArray != array {
		return nil, errors.New("shared memory is not of the expected kind (Value or Array)")
	}
	return s.wrapper, nil
}

// mapSegment maps the segment another process created.
func mapSegment(path string, token segmentToken) (*segment, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		if strings.HasPrefix(path, "/proc/") && errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("shared memory is gone: the process that created it has exited")
		}
		return nil, fmt.Errorf("open shared memory: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open shared memory: %w", err)
	}
	if st.Size() < headerSize || st.Size() > math.MaxInt32*8 {
		return nil, fmt.Errorf("shared memory at %s has bad size %d", path, st.Size())
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map shared memory: %w", err)
	}
	s := &segment{mem: mem, path: path}
	copy(s.token[:], mem[offToken:])
	s.kind = Kind(binary.LittleEndian.Uint32(mem[offKind:]))
	n := binary.LittleEndian.Uint64(mem[offLen:])
	if atomic.LoadUint32(s.word32(offMagic)) != magic || s.token != token ||
		n > uint64(len(mem)-headerSize)/8 {
		syscall.Munmap(mem)
		return nil, fmt.Errorf("%s does not hold the expected shared memory", path)
	}
	s.n = int(n)
	return s, nil
}

func (s *segment) word32(off int) *uint32 {
	return (*uint32)(unsafe.Pointer(&s.mem[off]))
}

func (s *segment) word64(i int) *uint64 {
	return (*uint64)(unsafe.Pointer(&s.mem[headerSize+8*i]))
}

func (s *segment) getInt(i int) int64 {
	bits := atomic.LoadUint64(s.word64(i))
	if s.kind == Float64 {
		return int64(math.Float64frombits(bits))
	}
	return int64(bits)
}

func (s *segment) setInt(i int, x int64) {
	if s.kind == Float64 {
		atomic.StoreUint64(s.word64(i), math.Float64bits(float64(x)))
		return
	}
	atomic.StoreUint64(s.word64(i), uint64(x))
}

func (s *segment) addInt(i int, delta int64) int64 {
	if s.kind == Float64 {
		return int64(s.addFloat(i, float64(delta)))
	}
	return int64(atomic.AddUint64(s.word64(i), uint64(delta)))
}

func (s *segment) getFloat(i int) float64 {
	bits := atomic.LoadUint64(s.word64(i))
	if s.kind == Int64 {
		return float64(int64(bits))
	}
	return math.Float64frombits(bits)
}

func (s *segment) setFloat(i int, x float64) {
	if s.kind == Int64 {
		atomic.StoreUint64(s.word64(i), uint64(int64(x)))
		return
	}
	atomic.StoreUint64(s.word64(i), math.Float64bits(x))
}

func (s *segment) addFloat(i int, delta float64) float64 {
	if s.kind == Int64 {
		return float64(s.addInt(i, int64(delta)))
	}
	w := s.word64(i)
	for {
		old := atomic.LoadUint64(w)
		sum := math.Float64frombits(old) + delta
		if atomic.CompareAndSwapUint64(w, old, math.Float64bits(sum)) {
			return sum
		}
	}
}

// lock acquires the segment's lock word by writing this process's id into
// it. A waiter spins briefly, then sleeps for doubling times up to a
// millisecond, and takes over the lock if its holder no longer exists.
func (s *segment) lock() {
	w := s.word32(offLock)
	me := lockOwner
	for spin := 0; ; spin++ {
		if atomic.CompareAndSwapUint32(w, 0, me) {
			return
		}
		switch {
		case spin < 20:
			runtime.Gosched()
		default:
			time.Sleep(time.Microsecond << min(spin-20, 10))
		}
		if spin%100 == 99 {
			if holder := atomic.LoadUint32(w); holder != 0 && holder != me && !processExists(int(holder)) {
				if atomic.CompareAndSwapUint32(w, holder, me) {
					return
				}
			}
		}
	}
}

func (s *segment) unlock(what string) {
	if !atomic.CompareAndSwapUint32(s.word32(offLock), lockOwner, 0) {
		panic(fmt.Sprintf("process: unlock of unlocked %s", what))
	}
}

// lockOwner is what this process writes into a lock word it holds: its
// process id, which stays the same for the life of the process.
var lockOwner = uint32(os.Getpid())

// processExists reports whether a process with the id exists.
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
