package process

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"
	"unsafe"
)

// maxDepth bounds the nesting of values and types, so that a cyclic
// structure of pointers fails with an error instead of exhausting the stack.
const maxDepth = 2000

// encoder writes values in the wire format.
type encoder struct {
	buf   []byte
	ids   map[reflect.Type]int // composite types described so far
	depth int
}

func newEncoder() *encoder {
	return &encoder{ids: make(map[reflect.Type]int)}
}

// encode returns v, of static type t, as a self-contained message.
func encode(t reflect.Type, v reflect.Value) ([]byte, error) {
	e := newEncoder()
	if err := e.describe(t); err != nil {
		return nil, err
	}
	if err := e.value(t, v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// encodeAny returns x as a message whose static type is any.
func encodeAny(x any) ([]byte, error) {
	v := reflect.New(anyType).Elem()
	if x != nil {
		v.Set(reflect.ValueOf(x))
	}
	return encode(anyType, v)
}

// checkType reports whether values of type t can be encoded, as far as the
// type tells: an interface field may still hold something that cannot.
func checkType(t reflect.Type) error {
	return newEncoder().describe(t)
}

func (e *encoder) byte(b byte) { e.buf = append(e.buf, b) }

func (e *encoder) uvarint(x uint64) { e.buf = binary.AppendUvarint(e.buf, x) }

func (e *encoder) varint(x int64) { e.buf = binary.AppendVarint(e.buf, x) }

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.buf = append(e.buf, b...)
}

func (e *encoder) string(s string) {
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) float(f float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
}

func (e *encoder) bool(b bool) {
	if b {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// describe writes the description of t.
func (e *encoder) describe(t reflect.Type) error {
	if k, ok := specialTypes[t]; ok {
		e.byte(byte(k))
		return nil
	}
	if k, ok := basicKinds[t.Kind()]; ok {
		e.byte(byte(k))
		return nil
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return &UnsupportedTypeError{Type: t}
		}
		e.byte(byte(wAny))
		return nil
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Pointer, reflect.Struct:
	default:
		return &UnsupportedTypeError{Type: t}
	}
	if id, ok := e.ids[t]; ok {
		e.byte(byte(wRef))
		e.uvarint(uint64(id))
		return nil
	}
	e.ids[t] = len(e.ids)
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		return fmt.Errorf("type %s is nested too deeply", t)
	}
	switch t.Kind() {
	case reflect.Slice:
		e.byte(byte(wSlice))
		return e.describeElem(t, t.Elem())
	case reflect.Array:
		e.byte(byte(wArrayOf))
		e.uvarint(uint64(t.Len()))
		return e.describeElem(t, t.Elem())
	case reflect.Map:
		e.byte(byte(wMap))
		if err := e.describeElem(t, t.Key()); err != nil {
			return err
		}
		return e.describeElem(t, t.Elem())
	case reflect.Pointer:
		e.byte(byte(wPointer))
		return e.describeElem(t, t.Elem())
	}
	// A struct: its fields other than blank ones, by name.
	e.byte(byte(wStruct))
	fields := structFields(t)
	e.uvarint(uint64(len(fields)))
	for _, i := range fields {
		f := t.Field(i)
		e.string(f.Name)
		if err := e.describe(f.Type); err != nil {
			return fmt.Errorf("field %s of %s: %w", f.Name, t, err)
		}
	}
	return nil
}

func (e *encoder) describeElem(outer, elem reflect.Type) error {
	if err := e.describe(elem); err != nil {
		if _, ok := err.(*UnsupportedTypeError); ok {
			return fmt.Errorf("in %s: %w", outer, err)
		}
		return err
	}
	return nil
}

// structFields returns the indexes of the fields of t that cross the
// boundary: all but blank ones.
func structFields(t reflect.Type) []int {
	var idx []int
	for i := range t.NumField() {
		if t.Field(i).Name != "_" {
			idx = append(idx, i)
		}
	}
	return idx
}

// readable returns v in a form whose Interface method works, for values
// reached through unexported struct fields. v must be addressable if it was
// reached that way.
func readable(v reflect.Value) reflect.Value {
	if v.CanInterface() || !v.CanAddr() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// addressable returns v itself if it is addressable, or an addressable copy,
// so that its unexported fields or elements can be read.
func addressable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

// value writes the data of v, whose static type is t.
func (e *encoder) value(t reflect.Type, v reflect.Value) error {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		return fmt.Errorf("value of type %s is nested too deeply (a cycle of pointers?)", t)
	}
	v = readable(v)
	if k, ok := specialTypes[t]; ok {
		return e.special(k, v)
	}
	switch t.Kind() {
	case reflect.Bool:
		e.bool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.varint(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uvarint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.float(v.Float())
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		e.float(real(c))
		e.float(imag(c))
	case reflect.String:
		e.string(v.String())
	case reflect.Interface:
		return e.dynamic(v)
	case reflect.Slice:
		if v.IsNil() {
			e.byte(0)
			return nil
		}
		e.byte(1)
		if t.Elem().Kind() == reflect.Uint8 {
			e.bytes(v.Bytes())
			return nil
		}
		e.uvarint(uint64(v.Len()))
		return e.elements(t.Elem(), v)
	case reflect.Array:
		return e.elements(t.Elem(), addressable(v))
	case reflect.Map:
		if v.IsNil() {
			e.byte(0)
			return nil
		}
		e.byte(1)
		e.uvarint(uint64(v.Len()))
		iter := v.MapRange()
		for iter.Next() {
			if err := e.value(t.Key(), iter.Key()); err != nil {
				return err
			}
			if err := e.value(t.Elem(), iter.Value()); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			e.byte(0)
			return nil
		}
		e.byte(1)
		return e.value(t.Elem(), v.Elem())
	case reflect.Struct:
		v = addressable(v)
		for _, i := range structFields(t) {
			if err := e.value(t.Field(i).Type, v.Field(i)); err != nil {
				return err
			}
		}
	default:
		return &UnsupportedTypeError{Type: t}
	}
	return nil
}

func (e *encoder) elements(elem reflect.Type, v reflect.Value) error {
	for i := range v.Len() {
		if err := e.value(elem, v.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

// dynamic writes the value held by an empty interface: a nil mark, or the
// description of the dynamic type and the value. An error that is not one of
// the special types travels as its message.
func (e *encoder) dynamic(v reflect.Value) error {
	if v.IsNil() {
		e.byte(0)
		return nil
	}
	e.byte(1)
	inner := v.Elem()
	t := inner.Type()
	if _, special := specialTypes[t]; !special && t.Implements(errorType) {
		e.byte(byte(wError))
		return e.special(wError, v)
	}
	if err := e.describe(t); err != nil {
		return err
	}
	return e.value(t, inner)
}

// special writes a value of one of the types the wire format knows by name.
func (e *encoder) special(k wireKind, v reflect.Value) error {
	if k == wDuration {
		e.varint(v.Int())
		return nil
	}
	if k == wTime {
		b, err := v.Interface().(time.Time).MarshalBinary()
		if err != nil {
			return fmt.Errorf("encode time: %w", err)
		}
		e.bytes(b)
		return nil
	}
	if v.IsNil() {
		e.byte(0)
		return nil
	}
	e.byte(1)
	switch k {
	case wBigInt:
		b, err := v.Interface().(*big.Int).GobEncode()
		if err != nil {
			return fmt.Errorf("encode big.Int: %w", err)
		}
		e.bytes(b)
	case wBigFloat:
		b, err := v.Interface().(*big.Float).GobEncode()
		if err != nil {
			return fmt.Errorf("encode big.Float: %w", err)
		}
		e.bytes(b)
	case wError:
		e.string(errorMessage(v.Interface().(error)))
	case wQueue:
		addr, id, err := v.Interface().(*Queue).address()
		if err != nil {
			return err
		}
		e.string(addr)
		e.uvarint(id)
	case wValue:
		e.handle(v.Interface().(*Value).seg)
	case wArray:
		e.handle(v.Interface().(*Array).seg)
	}
	return nil
}

// errorMessage returns err.Error(), or a description of the panic if Error
// panics, as it may for a nil pointer inside a non-nil error.
func errorMessage(err error) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("%T (Error panicked: %v)", err, r)
		}
	}()
	return err.Error()
}

// handle writes what another process needs to map a shared segment.
func (e *encoder) handle(s *segment) {
	e.string(s.path)
	e.buf = append(e.buf, s.token[:]...)
}
