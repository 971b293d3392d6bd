package process

import (
	"fmt"
	"math/big"
	"reflect"
	"time"
)

// A value crossing a process boundary is encoded as a description of its
// type followed by its data, so that the receiver can check it against the
// type it expects, or rebuild a type when it expects an interface. Composite
// types are numbered in the order in which they are first described, and a
// later mention of the same type refers back by number, which handles
// recursive types.

// wireKind is the kind of a described type.
type wireKind uint8

const (
	wBool wireKind = iota + 1
	wInt
	wInt8
	wInt16
	wInt32
	wInt64
	wUint
	wUint8
	wUint16
	wUint32
	wUint64
	wUintptr
	wFloat32
	wFloat64
	wComplex64
	wComplex128
	wString
	wDuration // time.Duration
	wTime     // time.Time
	wBigInt   // *big.Int
	wBigFloat // *big.Float
	wError    // the error interface: its message
	wQueue    // *Queue
	wValue    // *Value
	wArray    // *Array
	wAny      // an empty interface: a nil mark, or a description and data
	wSlice
	wArrayOf
	wMap
	wPointer
	wStruct
	wRef // a composite type described earlier in the same message
)

// wireType is a decoded type description.
type wireType struct {
	kind   wireKind
	elem   *wireType // slice, array, map value, pointer
	key    *wireType // map
	length int       // array
	fields []wireField
}

type wireField struct {
	name string
	typ  *wireType
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	timeType     = reflect.TypeFor[time.Time]()
	bigIntType   = reflect.TypeFor[*big.Int]()
	bigFloatType = reflect.TypeFor[*big.Float]()
	errorType    = reflect.TypeFor[error]()
	anyType      = reflect.TypeFor[any]()
	queueType    = reflect.TypeFor[*Queue]()
	valueType    = reflect.TypeFor[*Value]()
	arrayType    = reflect.TypeFor[*Array]()
)

// basicKinds maps the reflect kinds of booleans, numbers and strings to their
// wire kinds, and basicTypes maps those wire kinds back to unnamed types.
var (
	basicKinds = map[reflect.Kind]wireKind{
		reflect.Bool: wBool, reflect.Int: wInt, reflect.Int8: wInt8, reflect.Int16: wInt16,
		reflect.Int32: wInt32, reflect.Int64: wInt64, reflect.Uint: wUint, reflect.Uint8: wUint8,
		reflect.Uint16: wUint16, reflect.Uint32: wUint32, reflect.Uint64: wUint64,
		reflect.Uintptr: wUintptr, reflect.Float32: wFloat32, reflect.Float64: wFloat64,
		reflect.Complex64: wComplex64, reflect.Complex128: wComplex128, reflect.String: wString,
	}
	basicTypes = map[wireKind]reflect.Type{
		wBool: reflect.TypeFor[bool](), wInt: reflect.TypeFor[int](), wInt8: reflect.TypeFor[int8](),
		wInt16: reflect.TypeFor[int16](), wInt32: reflect.TypeFor[int32](),
		wInt64: reflect.TypeFor[int64](), wUint: reflect.TypeFor[uint](),
		wUint8: reflect.TypeFor[uint8](), wUint16: reflect.TypeFor[uint16](),
		wUint32: reflect.TypeFor[uint32](), wUint64: reflect.TypeFor[uint64](),
		wUintptr: reflect.TypeFor[uintptr](), wFloat32: reflect.TypeFor[float32](),
		wFloat64: reflect.TypeFor[float64](), wComplex64: reflect.TypeFor[complex64](),
		wComplex128: reflect.TypeFor[complex128](), wString: reflect.TypeFor[string](),
	}
	specialTypes = map[reflect.Type]wireKind{
		durationType: wDuration, timeType: wTime, bigIntType: wBigInt, bigFloatType: wBigFloat,
		errorType: wError, queueType: wQueue, valueType: wValue, arrayType: wArray,
	}
	specialKinds = map[wireKind]reflect.Type{
		wDuration: durationType, wTime: timeType, wBigInt: bigIntType, wBigFloat: bigFloatType,
		wError: errorType, wQueue: queueType, wValue: valueType, wArray: arrayType,
	}
)

// UnsupportedTypeError reports a type whose values cannot be sent to or
// received from another process: channels, functions, unsafe pointers and
// interfaces other than any and error.
type UnsupportedTypeError struct {
	Type reflect.Type
}

// Error names the type.
func (e *UnsupportedTypeError) Error() string {
	return fmt.Sprintf("%s cannot cross a process boundary", e.Type)
}

// String describes w the way Go writes types, for error messages.
func (w *wireType) String() string {
	return w.format(0)
}

func (w *wireType) format(depth int) string {
	if depth > 8 {
		return "..."
	}
	if t, ok := basicTypes[w.kind]; ok {
		return t.String()
	}
	if t, ok := specialKinds[w.kind]; ok {
		return t.String()
	}
	switch w.kind {
	case wAny:
		return "any"
	case wSlice:
		return "[]" + w.elem.format(depth+1)
	case wArrayOf:
		return fmt.Sprintf("[%d]%s", w.length, w.elem.format(depth+1))
	case wMap:
		return "map[" + w.key.format(depth+1) + "]" + w.elem.format(depth+1)
	case wPointer:
		return "*" + w.elem.format(depth+1)
	case wStruct:
		s := "struct {"
		for i, f := range w.fields {
			if i > 0 {
				s += ";"
			}
			s += " " + f.name + " " + f.typ.format(depth+1)
		}
		return s + " }"
	}
	return fmt.Sprintf("wire kind %d", w.kind)
}

// zeroSized reports whether values of w take no bytes of data, so that a
// long slice of them is not evidence of a truncated message.
func (w *wireType) zeroSized() bool {
	return w.minSize(1) == 0
}

// minSize returns the fewest bytes the data of a value described by w can
// take, at most limit, so that a receiver can refuse a description that
// promises more data than a message holds before allocating for it.
func (w *wireType) minSize(limit int) int {
	return w.minSizeIn(limit, map[*wireType]bool{})
}

func (w *wireType) minSizeIn(limit int, visiting map[*wireType]bool) int {
	switch w.kind {
	case wFloat32, wFloat64:
		return 8
	case wComplex64, wComplex128:
		return 16
	case wArrayOf, wStruct:
	default:
		return 1 // every other kind writes at least a byte or a nil mark
	}
	if visiting[w] { // only a damaged description refers to itself here
		return limit
	}
	visiting[w] = true
	defer delete(visiting, w)
	if w.kind == wArrayOf {
		if w.length == 0 {
			return 0
		}
		e := w.elem.minSizeIn(limit, visiting)
		if e > 0 && w.length > limit/e {
			return limit
		}
		return w.length * e
	}
	total := 0
	for _, f := range w.fields {
		total = min(limit, total+f.typ.minSizeIn(limit, visiting))
	}
	return total
}

// goType returns the Go type in which a value described by w is delivered
// when the receiver expects an interface: booleans, numbers and strings as
// their unnamed types, the special types as themselves, slices, arrays and
// maps of such types, a pointer as the value it points to, and a struct as a
// map[string]any from field names to values. A type that refers to itself
// other than through a struct becomes any at the point of recursion.
func (w *wireType) goType() (reflect.Type, error) {
	return w.goTypeIn(map[*wireType]bool{})
}

func (w *wireType) goTypeIn(building map[*wireType]bool) (reflect.Type, error) {
	if t, ok := basicTypes[w.kind]; ok {
		return t, nil
	}
	if t, ok := specialKinds[w.kind]; ok {
		return t, nil
	}
	switch w.kind {
	case wAny:
		return anyType, nil
	case wStruct:
		return reflect.TypeFor[map[string]any](), nil
	}
	if building[w] {
		return anyType, nil
	}
	building[w] = true
	defer delete(building, w)
	if w.kind == wPointer {
		return w.elem.goTypeIn(building)
	}
	elem, err := w.elem.goTypeIn(building)
	if err != nil {
		return nil, err
	}
	switch w.kind {
	case wSlice:
		return reflect.SliceOf(elem), nil
	case wArrayOf:
		return reflect.ArrayOf(w.length, elem), nil
	case wMap:
		key, err := w.key.goTypeIn(building)
		if err != nil {
			return nil, err
		}
		if !key.Comparable() {
			return nil, fmt.Errorf("cannot deliver %s as any: key type %s is not comparable", w, key)
		}
		return reflect.MapOf(key, elem), nil
	}
	return nil, fmt.Errorf("unknown wire kind %d", w.kind)
}
