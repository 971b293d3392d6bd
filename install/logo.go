package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// The gokernel logo: Go's blue rounded square with three white bars of different lengths,
// three threads on a timeline. The same geometry is drawn as SVG and rasterised to PNG, on a
// 64-unit canvas.
var (
	logoBlue = color.RGBA{0x00, 0xAD, 0xD8, 0xFF}
	logoBars = [][4]float64{ // x, y, width, height
		{12, 16, 40, 8},
		{20, 28, 32, 8},
		{12, 40, 24, 8},
	}
)

const logoRadius = 12.0

// logoSVG returns the logo as SVG text.
func logoSVG() string {
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` + "\n")
	fmt.Fprintf(&b, `  <rect x="0" y="0" width="64" height="64" rx="%g" fill="#00ADD8"/>`+"\n", logoRadius)
	for _, r := range logoBars {
		fmt.Fprintf(&b, `  <rect x="%g" y="%g" width="%g" height="%g" rx="4" fill="#FFFFFF"/>`+"\n", r[0], r[1], r[2], r[3])
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// logoPNG rasterises the logo at size x size pixels, with 4x4 supersampling for smooth edges.
func logoPNG(size int) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	scale := 64 / float64(size)
	const ss = 4
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var bg, fg int
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) * scale
					y := (float64(py) + (float64(sy)+0.5)/ss) * scale
					if !inRoundRect(x, y, 0, 0, 64, 64, logoRadius) {
						continue
					}
					bg++
					for _, r := range logoBars {
						if inRoundRect(x, y, r[0], r[1], r[2], r[3], 4) {
							fg++
							break
						}
					}
				}
			}
			if bg == 0 {
				continue
			}
			// Blend white bars over blue, with coverage as alpha.
			t := float64(fg) / float64(bg)
			mix := func(a uint8) uint8 { return uint8(float64(a)*(1-t) + 255*t + 0.5) }
			img.SetNRGBA(px, py, color.NRGBA{mix(logoBlue.R), mix(logoBlue.G), mix(logoBlue.B), uint8(255 * bg / (ss * ss))})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("install: encode logo: %w", err)
	}
	return buf.Bytes(), nil
}

// inRoundRect reports whether (x, y) lies in the rectangle with rounded corners of radius r.
func inRoundRect(x, y, rx, ry, w, h, r float64) bool {
	if x < rx || y < ry || x >= rx+w || y >= ry+h {
		return false
	}
	cx := min(max(x, rx+r), rx+w-r)
	cy := min(max(y, ry+r), ry+h-r)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= r*r
}
