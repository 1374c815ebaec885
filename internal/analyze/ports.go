package analyze

// portBlock is how many ports' counters are made at a time: 4 KiB of them, a page.
const portBlock = 512

// portCounts counts lines by port (0-65535). Its counters are made a block at a time, when a port
// of the block is first counted: probes cluster on few ports, and of a flat array (512 KiB) the
// merge and the ranking touched every page, most of them only to read zeros (a page fault each).
// keikai serve analyses many small reports, where clearing and merging whole arrays dominated.
type portCounts struct {
	blocks [65536 / portBlock]*[portBlock]int64
}

// add counts a line to port p, which must be below 65536.
func (c *portCounts) add(p uint16) {
	b := c.blocks[p/portBlock]
	if b == nil {
		b = new([portBlock]int64)
		c.blocks[p/portBlock] = b
	}
	b[p%portBlock]++
}

// merge adds o's counts to c. o's blocks that c lacks are taken over rather than copied: a
// worker's tally is not used after the merge.
func (c *portCounts) merge(o *portCounts) {
	for i, ob := range o.blocks {
		switch b := c.blocks[i]; {
		case ob == nil:
		case b == nil:
			c.blocks[i] = ob
		default:
			for j, n := range ob {
				b[j] += n
			}
		}
	}
}

// counted calls f with each port counted and its count, in port order.
func (c *portCounts) counted(f func(port int, n int64)) {
	for i, b := range c.blocks {
		if b == nil {
			continue
		}
		for base := 0; base < portBlock; base += 8 {
			// Most ports are never probed: eight at a time are passed over by one test.
			e := b[base : base+8 : base+8]
			if e[0]|e[1]|e[2]|e[3]|e[4]|e[5]|e[6]|e[7] == 0 {
				continue
			}
			for k, n := range e {
				if n > 0 {
					f(i*portBlock+base+k, n)
				}
			}
		}
	}
}
