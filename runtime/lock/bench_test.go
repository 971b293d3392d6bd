package lock

import (
	"sync"
	"testing"
)

func BenchmarkLockUnlock(b *testing.B) {
	n := 0
	b.Run("Lock", func(b *testing.B) {
		var l Lock
		for b.Loop() {
			l.Lock()
			n++
			l.Unlock()
		}
	})
	b.Run("RLock", func(b *testing.B) {
		var r RLock
		for b.Loop() {
			r.Lock()
			n++
			r.Unlock()
		}
	})
	b.Run("sync.Mutex", func(b *testing.B) {
		var m sync.Mutex
		for b.Loop() {
			m.Lock()
			n++
			m.Unlock()
		}
	})
}
