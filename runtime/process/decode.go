package process

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"
	"unsafe"
)

var errTruncated = errors.New("message is truncated")

// decoder reads values in the wire format.
type decoder struct {
	buf   []byte
	off   int
	types []*wireType // composite types in the order of their descriptions
	depth int
}

// decode reads a message made by encode into dst, which must be settable.
// The value is converted to dst's type where the conversion loses nothing;
// see the package documentation for what an interface receives.
func decode(b []byte, dst reflect.Value) error {
	d := &decoder{buf: b}
	w, err := d.describe()
	if err != nil {
		return err
	}
	if err := d.value(w, dst); err != nil {
		return err
	}
	if d.off != len(d.buf) {
		return fmt.Errorf("%d bytes left over after the value", len(d.buf)-d.off)
	}
	return nil
}

// decodeAny reads a message into a value of the type the message describes,
// as an empty interface receives it.
func decodeAny(b []byte) (any, error) {
	v := reflect.New(anyType).Elem()
	if err := decode(b, v); err != nil {
		return nil, err
	}
	return v.Interface(), nil
}

func (d *decoder) byte() (byte, error) {
	if d.off >= len(d.buf) {
		return 0, errTruncated
	}
	b := d.buf[d.off]
	d.off++
	return b, nil
}

func (d *decoder) uvarint() (uint64, error) {
	x, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		return 0, errTruncated
	}
	d.off += n
	return x, nil
}

func (d *decoder) varint() (int64, error) {
	x, n := binary.Varint(d.buf[d.off:])
	if n <= 0 {
		return 0, errTruncated
	}
	d.off += n
	return x, nil
}

// length reads a count of items of which each takes at least one byte, unless
// zeroSized, and checks it against what is left of the message.
func (d *decoder) length(zeroSized bool) (int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(len(d.buf)-d.off) && !(zeroSized && n <= 1<<24) {
		return 0, errTruncated
	}
	return int(n), nil
}

func (d *decoder) bytes() ([]byte, error) {
	n, err := d.length(false)
	if err != nil {
		return nil, err
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b, nil
}

func (d *decoder) string() (string, error) {
	b, err := d.bytes()
	return string(b), err
}

func (d *decoder) float() (float64, error) {
	if len(d.buf)-d.off < 8 {
		return 0, errTruncated
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.buf[d.off:]))
	d.off += 8
	return f, nil
}

// flag reads the mark written before a value that may be nil.
func (d *decoder) flag() (present bool, err error) {
	b, err := d.byte()
	if err != nil {
		return false, err
	}
	if b > 1 {
		return false, fmt.Errorf("bad nil mark %d", b)
	}
	return b == 1, nil
}

// describe reads a type description.
func (d *decoder) describe() (*wireType, error) {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return nil, errors.New("type description is nested too deeply")
	}
	b, err := d.byte()
	if err != nil {
		return nil, err
	}
	k := wireKind(b)
	switch {
	case k >= wBool && k <= wAny:
		return &wireType{kind: k}, nil
	case k == wRef:
		id, err := d.uvarint()
		if err != nil {
			return nil, err
		}
		if id >= uint64(len(d.types)) {
			return nil, fmt.Errorf("reference to undescribed type %d", id)
		}
		return d.types[id], nil
	case k < wSlice || k > wStruct:
		return nil, fmt.Errorf("unknown wire kind %d", k)
	}
	w := &wireType{kind: k}
	d.types = append(d.types, w)
	switch k {
	case wArrayOf:
		n, err := d.uvarint()
		if err != nil {
			return nil, err
		}
		if n > math.MaxInt32 {
			return nil, fmt.Errorf("array length %d is too large", n)
		}
		w.length = int(n)
	case wMap:
		if w.key, err = d.describe(); err != nil {
			return nil, err
		}
	case wStruct:
		n, err := d.length(false)
		if err != nil {
			return nil, err
		}
		w.fields = make([]wireField, n)
		for i := range w.fields {
			if w.fields[i].name, err = d.string(); err != nil {
				return nil, err
			}
			if w.fields[i].typ, err = d.describe(); err != nil {
				return nil, err
			}
		}
		return w, nil
	}
	w.elem, err = d.describe()
	return w, err
}

// settable returns dst in a form that can be set, for fields that are
// unexported. dst must be addressable.
func settable(dst reflect.Value) reflect.Value {
	if dst.CanSet() {
		return dst
	}
	return reflect.NewAt(dst.Type(), unsafe.Pointer(dst.UnsafeAddr())).Elem()
}

// mismatch reports a value of wire type w that cannot be stored in t.
func mismatch(w *wireType, t reflect.Type) error {
	return fmt.Errorf("cannot receive %s as %s", w, t)
}

// value reads data of wire type w into dst.
func (d *decoder) value(w *wireType, dst reflect.Value) error {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return errors.New("value is nested too deeply")
	}
	dst = settable(dst)
	t := dst.Type()
	if t.Kind() == reflect.Interface {
		return d.intoInterface(w, dst)
	}
	if w.kind == wAny {
		present, err := d.flag()
		if err != nil || !present {
			dst.SetZero()
			return err
		}
		inner, err := d.describe()
		if err != nil {
			return err
		}
		return d.value(inner, dst)
	}
	if _, special := specialTypes[t]; !special && t.Kind() == reflect.Pointer && w.kind != wPointer {
		p := reflect.New(t.Elem()) // a value is received into a new variable
		if err := d.value(w, p.Elem()); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	}
	if _, ok := basicTypes[w.kind]; ok || w.kind == wDuration {
		return d.basic(w, dst)
	}
	if _, ok := specialKinds[w.kind]; ok {
		return d.special(w, dst)
	}
	switch w.kind {
	case wPointer:
		present, err := d.flag()
		if err != nil || !present {
			dst.SetZero()
			return err
		}
		if t.Kind() == reflect.Pointer {
			p := reflect.New(t.Elem())
			if err := d.value(w.elem, p.Elem()); err != nil {
				return err
			}
			dst.Set(p)
			return nil
		}
		return d.value(w.elem, dst) // a pointer is received as what it points to
	case wSlice, wArrayOf:
		return d.sequence(w, dst)
	case wMap:
		return d.mapValue(w, dst)
	case wStruct:
		return d.structValue(w, dst)
	}
	return mismatch(w, t)
}

// intoInterface reads a value of wire type w into dst, an interface.
func (d *decoder) intoInterface(w *wireType, dst reflect.Value) error {
	t := dst.Type()
	if w.kind == wAny {
		present, err := d.flag()
		if err != nil || !present {
			dst.SetZero()
			return err
		}
		if w, err = d.describe(); err != nil {
			return err
		}
	}
	if t == errorType {
		if w.kind != wError {
			return mismatch(w, t)
		}
		return d.special(w, dst)
	}
	if t.NumMethod() != 0 {
		return &UnsupportedTypeError{Type: t}
	}
	for w.kind == wPointer { // a pointer arrives as what it points to, nil as nil
		present, err := d.flag()
		if err != nil || !present {
			dst.SetZero()
			return err
		}
		w = w.elem
	}
	if left := len(d.buf) - d.off; w.minSize(left+1) > left {
		return errTruncated // before allocating what the description promises
	}
	gt, err := w.goType()
	if err != nil {
		return err
	}
	v := reflect.New(gt).Elem()
	if err := d.value(w, v); err != nil {
		return err
	}
	if gt.Kind() == reflect.Interface && v.IsNil() {
		dst.SetZero() // a nil error or nil any stays a nil interface
		return nil
	}
	dst.Set(v)
	return nil
}

// number is a boolean, integer, float or complex value read from a message.
type number struct {
	kind wireKind
	i    int64
	u    uint64
	c    complex128
}

// basic reads a boolean, number or string into dst, converting numbers to
// dst's kind when the value survives the conversion exactly.
func (d *decoder) basic(w *wireType, dst reflect.Value) error {
	t := dst.Type()
	switch w.kind {
	case wBool:
		b, err := d.byte()
		if err != nil {
			return err
		}
		if t.Kind() != reflect.Bool {
			return mismatch(w, t)
		}
		dst.SetBool(b != 0)
		return nil
	case wString:
		s, err := d.string()
		if err != nil {
			return err
		}
		if t.Kind() != reflect.String {
			return mismatch(w, t)
		}
		dst.SetString(s)
		return nil
	}
	n := number{kind: w.kind}
	var err error
	switch w.kind {
	case wInt, wInt8, wInt16, wInt32, wInt64, wDuration:
		n.i, err = d.varint()
	case wUint, wUint8, wUint16, wUint32, wUint64, wUintptr:
		n.u, err = d.uvarint()
	case wFloat32, wFloat64:
		var f float64
		f, err = d.float()
		n.c = complex(f, 0)
	case wComplex64, wComplex128:
		var re, im float64
		if re, err = d.float(); err == nil {
			im, err = d.float()
		}
		n.c = complex(re, im)
	}
	if err != nil {
		return err
	}
	if !setNumber(dst, n) {
		return fmt.Errorf("cannot receive %s %s as %s", w, n, t)
	}
	return nil
}

func (n number) String() string {
	switch n.kind {
	case wInt, wInt8, wInt16, wInt32, wInt64, wDuration:
		return fmt.Sprint(n.i)
	case wUint, wUint8, wUint16, wUint32, wUint64, wUintptr:
		return fmt.Sprint(n.u)
	case wFloat32, wFloat64:
		return fmt.Sprint(real(n.c))
	}
	return fmt.Sprint(n.c)
}

// setNumber stores n in dst if dst is numeric and the value fits exactly.
func setNumber(dst reflect.Value, n number) bool {
	signed := n.kind <= wInt64 || n.kind == wDuration
	unsigned := n.kind >= wUint && n.kind <= wUintptr
	float := n.kind == wFloat32 || n.kind == wFloat64
	switch dst.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var x int64
		switch {
		case signed:
			x = n.i
		case unsigned:
			if n.u > math.MaxInt64 {
				return false
			}
			x = int64(n.u)
		case float:
			f := real(n.c)
			if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
				return false
			}
			x = int64(f)
		default:
			return false
		}
		if dst.OverflowInt(x) {
			return false
		}
		dst.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		var x uint64
		switch {
		case signed:
			if n.i < 0 {
				return false
			}
			x = uint64(n.i)
		case unsigned:
			x = n.u
		case float:
			f := real(n.c)
			if f != math.Trunc(f) || f < 0 || f >= 1<<64 {
				return false
			}
			x = uint64(f)
		default:
			return false
		}
		if dst.OverflowUint(x) {
			return false
		}
		dst.SetUint(x)
	case reflect.Float32, reflect.Float64:
		var f float64
		switch {
		case signed:
			f = float64(n.i)
		case unsigned:
			f = float64(n.u)
		case float:
			f = real(n.c)
		default:
			return false
		}
		if dst.OverflowFloat(f) && !math.IsInf(f, 0) {
			return false
		}
		dst.SetFloat(f)
	case reflect.Complex64, reflect.Complex128:
		c := n.c
		switch {
		case signed:
			c = complex(float64(n.i), 0)
		case unsigned:
			c = complex(float64(n.u), 0)
		}
		if dst.OverflowComplex(c) {
			return false
		}
		dst.SetComplex(c)
	default:
		return false
	}
	return true
}

// special reads a value of one of the types the wire format knows by name.
func (d *decoder) special(w *wireType, dst reflect.Value) error {
	t := dst.Type()
	if w.kind == wTime {
		b, err := d.bytes()
		if err != nil {
			return err
		}
		if t != timeType {
			return mismatch(w, t)
		}
		var tm time.Time
		if err := tm.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("decode time: %w", err)
		}
		dst.Set(reflect.ValueOf(tm))
		return nil
	}
	present, err := d.flag()
	if err != nil {
		return err
	}
	want := specialKinds[w.kind]
	if t != want && !(w.kind == wError && t.Kind() == reflect.String) {
		return mismatch(w, t)
	}
	if !present {
		dst.SetZero()
		return nil
	}
	switch w.kind {
	case wBigInt:
		b, err := d.bytes()
		if err != nil {
			return err
		}
		x := new(big.Int)
		if err := x.GobDecode(b); err != nil {
			return fmt.Errorf("decode big.Int: %w", err)
		}
		dst.Set(reflect.ValueOf(x))
	case wBigFloat:
		b, err := d.bytes()
		if err != nil {
			return err
		}
		x := new(big.Float)
		if err := x.GobDecode(b); err != nil {
			return fmt.Errorf("decode big.Float: %w", err)
		}
		dst.Set(reflect.ValueOf(x))
	case wError:
		msg, err := d.string()
		if err != nil {
			return err
		}
		if t.Kind() == reflect.String {
			dst.SetString(msg)
		} else {
			dst.Set(reflect.ValueOf(errors.New(msg)))
		}
	case wQueue:
		addr, err := d.string()
		if err != nil {
			return err
		}
		id, err := d.uvarint()
		if err != nil {
			return err
		}
		dst.Set(reflect.ValueOf(queueAt(addr, id)))
	case wValue, wArray:
		path, err := d.string()
		if err != nil {
			return err
		}
		if len(d.buf)-d.off < len(segmentToken{}) {
			return errTruncated
		}
		var token segmentToken
		d.off += copy(token[:], d.buf[d.off:])
		x, err := openShared(path, token, w.kind == wArray)
		if err != nil {
			return err
		}
		dst.Set(reflect.ValueOf(x))
	}
	return nil
}

// sequence reads a slice or array into a slice or array.
func (d *decoder) sequence(w *wireType, dst reflect.Value) error {
	t := dst.Type()
	if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
		return mismatch(w, t)
	}
	n := w.length
	if w.kind == wSlice {
		present, err := d.flag()
		if err != nil {
			return err
		}
		if !present {
			if t.Kind() == reflect.Array && t.Len() != 0 {
				return fmt.Errorf("cannot receive a nil %s as %s", w, t)
			}
			dst.SetZero()
			return nil
		}
		if w.elem.kind == wUint8 {
			b, err := d.bytes()
			if err != nil {
				return err
			}
			if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
				dst.SetBytes(append([]byte(nil), b...))
				return nil
			}
			return d.bytesInto(w, b, dst)
		}
		if n, err = d.length(w.elem.zeroSized()); err != nil {
			return err
		}
	}
	if t.Kind() == reflect.Array {
		if t.Len() != n {
			return fmt.Errorf("cannot receive %d elements of %s as %s", n, w, t)
		}
	} else {
		dst.Set(reflect.MakeSlice(t, n, n))
	}
	if w.elem.zeroSized() && n > 0 {
		n = 1 // elements without data leave the zero values; check one for type
	}
	for i := range n {
		if err := d.value(w.elem, dst.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

// bytesInto stores the bytes of a []uint8 in a slice or array of another
// numeric element type.
func (d *decoder) bytesInto(w *wireType, b []byte, dst reflect.Value) error {
	t := dst.Type()
	if t.Kind() == reflect.Array {
		if t.Len() != len(b) {
			return fmt.Errorf("cannot receive %d elements of %s as %s", len(b), w, t)
		}
	} else {
		dst.Set(reflect.MakeSlice(t, len(b), len(b)))
	}
	for i, x := range b {
		if !setNumber(settable(dst.Index(i)), number{kind: wUint8, u: uint64(x)}) {
			return mismatch(w, t)
		}
	}
	return nil
}

// mapValue reads a map into a map.
func (d *decoder) mapValue(w *wireType, dst reflect.Value) error {
	t := dst.Type()
	if t.Kind() != reflect.Map {
		return mismatch(w, t)
	}
	present, err := d.flag()
	if err != nil || !present {
		dst.SetZero()
		return err
	}
	n, err := d.length(w.key.zeroSized() && w.elem.zeroSized())
	if err != nil {
		return err
	}
	m := reflect.MakeMapWithSize(t, min(n, 1024))
	for range n {
		k := reflect.New(t.Key()).Elem()
		if err := d.value(w.key, k); err != nil {
			return err
		}
		v := reflect.New(t.Elem()).Elem()
		if err := d.value(w.elem, v); err != nil {
			return err
		}
		m.SetMapIndex(k, v)
	}
	dst.Set(m)
	return nil
}

// structValue reads a struct into a struct, matching fields by name, or into
// a map with string keys.
func (d *decoder) structValue(w *wireType, dst reflect.Value) error {
	t := dst.Type()
	switch {
	case t.Kind() == reflect.Struct:
		for _, f := range w.fields {
			sf, ok := t.FieldByName(f.name)
			if !ok || len(sf.Index) != 1 {
				return fmt.Errorf("cannot receive %s as %s: %s has no field %s", w, t, t, f.name)
			}
			if err := d.value(f.typ, dst.Field(sf.Index[0])); err != nil {
				return fmt.Errorf("field %s: %w", f.name, err)
			}
		}
		return nil
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		m := reflect.MakeMapWithSize(t, len(w.fields))
		for _, f := range w.fields {
			v := reflect.New(t.Elem()).Elem()
			if err := d.value(f.typ, v); err != nil {
				return fmt.Errorf("field %s: %w", f.name, err)
			}
			m.SetMapIndex(reflect.ValueOf(f.name).Convert(t.Key()), v)
		}
		dst.Set(m)
		return nil
	}
	return mismatch(w, t)
}
