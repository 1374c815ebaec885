//go:build !purego

#include "go_asm.h"
#include "textflag.h"

// Both passes test blocks of positions (16 for SSSE3, 32 for AVX2) against the masks, then each
// candidate's three bytes against the gram filter's hash. A text's last, partial block is tested
// as a full block ending at the text's end, overlapping positions already decided: the mask bits
// of those are shifted out. The position register is BX; CX holds shift counts.

// MASKS computes in R8 one bit per position of the block at BX whose three bytes the masks
// accept, for SSSE3.
#define MASKS16 \
	MOVOU 0(SI)(BX*1), X0 \
	MOVOU 1(SI)(BX*1), X1 \
	MOVOU 2(SI)(BX*1), X2 \
	MOVO  X0, X3 \
	PSRLW $4, X3 \
	PAND  X14, X0 \
	PAND  X14, X3 \
	MOVO  X8, X4 \
	PSHUFB X0, X4 \
	MOVO  X9, X5 \
	PSHUFB X3, X5 \
	PAND  X5, X4 \
	MOVO  X1, X3 \
	PSRLW $4, X3 \
	PAND  X14, X1 \
	PAND  X14, X3 \
	MOVO  X10, X6 \
	PSHUFB X1, X6 \
	MOVO  X11, X5 \
	PSHUFB X3, X5 \
	PAND  X5, X6 \
	PAND  X6, X4 \
	MOVO  X2, X3 \
	PSRLW $4, X3 \
	PAND  X14, X2 \
	PAND  X14, X3 \
	MOVO  X12, X6 \
	PSHUFB X2, X6 \
	MOVO  X13, X5 \
	PSHUFB X3, X5 \
	PAND  X5, X6 \
	PAND  X6, X4 \
	PCMPEQB  X15, X4 \
	PMOVMSKB X4, R8 \
	XORL     $0xffff, R8

// CANDIDATES returns the first position of R8 (relative to BX) whose gram passes the hash, or
// falls through when none does. Clobbers R9-R12.
#define CANDIDATES(label, ret) \
label: \
	BSFL    R8, R9 \
	LEAQ    (BX)(R9*1), R10 \
	MOVWLZX 0(SI)(R10*1), R11 \
	MOVBLZX 2(SI)(R10*1), R12 \
	SHLL    $16, R12 \
	ORL     R12, R11 \
	ORL     $0x202020, R11 \
	IMULL   $0x3779B100, R11 \
	SHRL    $18, R11 \
	MOVBLZX 0(DI)(R11*1), R12 \
	TESTL   R12, R12 \
	JNZ     ret \
	LEAL    -1(R8), R9 \
	ANDL    R9, R8 \
	JNZ     label

// func teddySSSE3(t *teddyMasks, grams *[1 << gramHashBits]uint8, text []byte, i int) (int, bool)
TEXT ·teddySSSE3(SB), NOSPLIT, $0-57
	MOVQ t+0(FP), AX
	MOVQ grams+8(FP), DI
	MOVQ text_base+16(FP), SI
	MOVQ text_len+24(FP), DX
	MOVQ i+40(FP), BX
	MOVOU 0(AX), X8    // lo0
	MOVOU 16(AX), X9   // hi0
	MOVOU 32(AX), X10  // lo1
	MOVOU 48(AX), X11  // hi1
	MOVOU 64(AX), X12  // lo2
	MOVOU 80(AX), X13  // hi2
	MOVOU 96(AX), X14  // 0x0f
	PXOR X15, X15
	SUBQ $18, DX       // the last block: a block at BX reads BX .. BX+17
	JLT  short
	CMPQ BX, DX
	JGT  tail

loop:
	MASKS16
	JZ   next
	CANDIDATES(cand, found)
next:
	ADDQ $16, BX
	CMPQ BX, DX
	JLE  loop

tail:
	// Positions BX .. DX+15 are left, fewer than a block: test the block at DX and drop the
	// bits of the positions before BX.
	LEAQ 16(DX), R13   // the first position past the last block
	CMPQ BX, R13
	JGE  short
	MOVQ BX, CX
	SUBQ DX, CX
	XCHGQ BX, DX       // the block at DX ...
	MASKS16
	XCHGQ BX, DX       // ... bit k of which is position DX+k, and after the shift BX+k
	SHRL CX, R8
	JZ   last
	CANDIDATES(candtail, found)
last:
	MOVQ R13, ret+48(FP)
	MOVB $0, ret1+56(FP)
	RET

short:
	MOVQ BX, ret+48(FP)
	MOVB $0, ret1+56(FP)
	RET

found:
	MOVQ R10, ret+48(FP)
	MOVB $1, ret1+56(FP)
	RET

// MASKS32 is MASKS16 for 32 positions, with the masks in both lanes of Y8-Y14.
#define MASKS32 \
	VMOVDQU 0(SI)(BX*1), Y0 \
	VMOVDQU 1(SI)(BX*1), Y1 \
	VMOVDQU 2(SI)(BX*1), Y2 \
	VPSRLW  $4, Y0, Y3 \
	VPAND   Y14, Y0, Y0 \
	VPAND   Y14, Y3, Y3 \
	VPSHUFB Y0, Y8, Y4 \
	VPSHUFB Y3, Y9, Y5 \
	VPAND   Y5, Y4, Y4 \
	VPSRLW  $4, Y1, Y3 \
	VPAND   Y14, Y1, Y1 \
	VPAND   Y14, Y3, Y3 \
	VPSHUFB Y1, Y10, Y6 \
	VPSHUFB Y3, Y11, Y5 \
	VPAND   Y5, Y6, Y6 \
	VPAND   Y6, Y4, Y4 \
	VPSRLW  $4, Y2, Y3 \
	VPAND   Y14, Y2, Y2 \
	VPAND   Y14, Y3, Y3 \
	VPSHUFB Y2, Y12, Y6 \
	VPSHUFB Y3, Y13, Y5 \
	VPAND   Y5, Y6, Y6 \
	VPAND   Y6, Y4, Y4 \
	VPCMPEQB  Y15, Y4, Y4 \
	VPMOVMSKB Y4, R8 \
	XORL      $0xffffffff, R8

// func teddyAVX2(t *teddyMasks, grams *[1 << gramHashBits]uint8, text []byte, i int) (int, bool)
TEXT ·teddyAVX2(SB), NOSPLIT, $0-57
	MOVQ t+0(FP), AX
	MOVQ grams+8(FP), DI
	MOVQ text_base+16(FP), SI
	MOVQ text_len+24(FP), DX
	MOVQ i+40(FP), BX
	VBROADCASTI128 0(AX), Y8
	VBROADCASTI128 16(AX), Y9
	VBROADCASTI128 32(AX), Y10
	VBROADCASTI128 48(AX), Y11
	VBROADCASTI128 64(AX), Y12
	VBROADCASTI128 80(AX), Y13
	VBROADCASTI128 96(AX), Y14
	VPXOR Y15, Y15, Y15
	SUBQ $34, DX
	JLT  short2
	CMPQ BX, DX
	JGT  tail2

loop2:
	MASKS32
	JZ   next2
	CANDIDATES(cand2, found2)
next2:
	ADDQ $32, BX
	CMPQ BX, DX
	JLE  loop2

tail2:
	LEAQ 32(DX), R13
	CMPQ BX, R13
	JGE  short2
	MOVQ BX, CX
	SUBQ DX, CX
	XCHGQ BX, DX
	MASKS32
	XCHGQ BX, DX
	SHRL CX, R8
	JZ   last2
	CANDIDATES(candtail2, found2)
last2:
	VZEROUPPER
	MOVQ R13, ret+48(FP)
	MOVB $0, ret1+56(FP)
	RET

short2:
	VZEROUPPER
	MOVQ BX, ret+48(FP)
	MOVB $0, ret1+56(FP)
	RET

found2:
	VZEROUPPER
	MOVQ R10, ret+48(FP)
	MOVB $1, ret1+56(FP)
	RET

// func teddyShort(t *teddyMasks, grams *[1 << gramHashBits]uint8, text *byte, n int) (int, bool)
//
// teddyShort is teddySSSE3 over the n bytes at text (2 <= n <= 16) padded with zero bytes, for
// positions before n-1 only; it reads 16 bytes at text, which must not cross a page. The padded
// copy is made in registers and on the frame, without a call to memmove.
TEXT ·teddyShort(SB), NOSPLIT, $32-41
	MOVQ t+0(FP), AX
	MOVQ grams+8(FP), DI
	MOVQ text+16(FP), SI
	MOVQ n+24(FP), DX
	PXOR X15, X15
	MOVOU 0(SI), X0
	MOVQ  DX, X1
	PSHUFB X15, X1      // n in every byte
	MOVOU 112(AX), X2   // 0, 1, ... 15
	PCMPGTB X2, X1      // 0xff where the index is below n
	PAND  X1, X0
	MOVOU X0, 0(SP)
	MOVOU X15, 16(SP)
	LEAQ  0(SP), SI
	MOVOU 0(AX), X8
	MOVOU 16(AX), X9
	MOVOU 32(AX), X10
	MOVOU 48(AX), X11
	MOVOU 64(AX), X12
	MOVOU 80(AX), X13
	MOVOU 96(AX), X14
	XORQ  BX, BX
	MASKS16
	LEAQ  -1(DX), CX    // keep the bits of positions 0 .. n-2
	MOVL  $1, R9
	SHLL  CX, R9
	DECL  R9
	ANDL  R9, R8
	JZ    none4
	CANDIDATES(cand4, found4)
none4:
	MOVQ $0, ret+32(FP)
	MOVB $0, ret1+40(FP)
	RET

found4:
	MOVQ R10, ret+32(FP)
	MOVB $1, ret1+40(FP)
	RET

// func teddyShortAVX2(t *teddyMasks, grams *[1 << gramHashBits]uint8, text *byte, n int) int
//
// teddyShortAVX2 is teddyShort for 2 <= n <= 32, reading 32 bytes at text, and returning n when
// no position passes.
TEXT ·teddyShortAVX2(SB), NOSPLIT, $64-40
	MOVQ t+0(FP), AX
	MOVQ grams+8(FP), DI
	MOVQ text+16(FP), SI
	MOVQ n+24(FP), DX
	VPXOR Y15, Y15, Y15
	VMOVDQU 0(SI), Y0
	MOVQ  DX, X1
	VPBROADCASTB X1, Y1  // n in every byte
	VMOVDQU 112(AX), Y2  // 0, 1, ... 31
	VPCMPGTB Y2, Y1, Y1  // 0xff where the index is below n
	VPAND Y1, Y0, Y0
	VMOVDQU Y0, 0(SP)
	VMOVDQU Y15, 32(SP)
	LEAQ  0(SP), SI
	VBROADCASTI128 0(AX), Y8
	VBROADCASTI128 16(AX), Y9
	VBROADCASTI128 32(AX), Y10
	VBROADCASTI128 48(AX), Y11
	VBROADCASTI128 64(AX), Y12
	VBROADCASTI128 80(AX), Y13
	VBROADCASTI128 96(AX), Y14
	XORQ  BX, BX
	MASKS32
	LEAQ  -1(DX), CX    // keep the bits of positions 0 .. n-2
	MOVL  $1, R9
	SHLL  CX, R9
	DECL  R9
	ANDL  R9, R8
	JZ    none5
	CANDIDATES(cand5, found5)
none5:
	VZEROUPPER
	MOVQ DX, ret+32(FP)
	RET

found5:
	VZEROUPPER
	MOVQ R10, ret+32(FP)
	RET

// func fusedStep(t *fusedTables, text []byte, i int, s uint32) (int, uint32)
//
// Filter mode (state AX is the start state) finds candidates as teddyAVX2 does, or for a text
// shorter than its block as teddyShortAVX2 does, through a zero-padded copy on the frame when the
// 32 bytes at the position would cross a page. DFA mode steps the automaton (R10 table, R11 byte
// classes, R12 the first shallow state) from the candidate until the state is shallow again, and
// then goes back to filter mode without leaving the function; it returns only at an output state
// or at the text's end. R13 holds t throughout; the frame holds the padded copy, then i and the
// text's base while the copy is scanned.
TEXT ·fusedStep(SB), NOSPLIT, $80-60
	MOVQ t+0(FP), R13
	MOVQ text_base+8(FP), SI
	MOVQ text_len+16(FP), DX
	MOVQ i+32(FP), BX
	MOVL s+40(FP), AX
	MOVQ fusedTables_masks(R13), R9
	VBROADCASTI128 0(R9), Y8
	VBROADCASTI128 16(R9), Y9
	VBROADCASTI128 32(R9), Y10
	VBROADCASTI128 48(R9), Y11
	VBROADCASTI128 64(R9), Y12
	VBROADCASTI128 80(R9), Y13
	VBROADCASTI128 96(R9), Y14
	VPXOR Y15, Y15, Y15
	MOVQ fusedTables_grams(R13), DI
	CMPL AX, fusedTables_start(R13)
	JNE  resume

filter:
	LEAQ 34(BX), R9
	CMPQ R9, DX
	JGT  ftail
fblock:
	MASKS32
	JZ   fnext
	CANDIDATES(fcand, candidate)
fnext:
	ADDQ $32, BX
	LEAQ 34(BX), R9
	CMPQ R9, DX
	JLE  fblock

ftail:
	CMPQ DX, $34
	JLT  fshort
	// Positions BX .. len-3 by the block at len-34, the bits of those before BX shifted out.
	LEAQ -2(DX), R9
	CMPQ BX, R9
	JGE  fpair
	LEAQ -34(DX), CX
	XCHGQ BX, CX
	SUBQ BX, CX
	MASKS32
	SHRL CX, R8
	ADDQ CX, BX
	TESTL R8, R8
	JZ   fpairat
	CANDIDATES(ftcand, candidate)
fpairat:
	LEAQ -2(DX), BX

fpair:
	// Position len-2 may still start a two-byte pattern, which the hash holds with any third byte.
	LEAQ -2(DX), R9
	CMPQ BX, R9
	JNE  end
	CMPB fusedTables_pairs(R13), $0
	JEQ  end
	MOVWLZX 0(SI)(BX*1), R11
	ORL     $0x202020, R11
	IMULL   $0x3779B100, R11
	SHRL    $18, R11
	MOVBLZX 0(DI)(R11*1), R12
	TESTL   R12, R12
	JZ      end
	MOVQ BX, R10
	JMP  candidate

fshort:
	// A text shorter than a block: rem = len-BX <= 33 positions, of which all but the last may
	// start a pattern, tested as one block of a zero-padded copy.
	MOVQ DX, CX
	SUBQ BX, CX
	CMPQ CX, $2
	JLT  end
	LEAQ 0(SI)(BX*1), R9
	CMPQ CX, $32
	JGE  fload
	MOVL R9, R10
	ANDL $4095, R10
	CMPL R10, $(4096-32)
	JGT  fcopy
fload:
	VMOVDQU 0(R9), Y0
	MOVQ    CX, X1
	VPBROADCASTB X1, Y1
	MOVQ    fusedTables_masks(R13), R10
	VMOVDQU 112(R10), Y2
	VPCMPGTB Y2, Y1, Y1
	VPAND   Y1, Y0, Y0
	VMOVDQU Y0, 0(SP)
	VMOVDQU Y15, 32(SP)
	CMPQ CX, $33
	JNE  fmasks
	MOVBLZX 32(R9), R10
	MOVB    R10, 32(SP)
fmasks:
	MOVQ BX, 64(SP)
	MOVQ SI, 72(SP)
	LEAQ 0(SP), SI
	XORQ BX, BX
	MASKS32
	DECQ CX
	MOVQ $1, R9
	SHLQ CX, R9
	DECQ R9
	ANDQ R9, R8
	JZ   fshortnone
	CANDIDATES(fscand, fshorthit)
fshortnone:
	MOVQ 72(SP), SI
	JMP  end
fshorthit:
	MOVQ 72(SP), SI
	ADDQ 64(SP), R10
	JMP  candidate
fcopy:
	VMOVDQU Y15, 0(SP)
	VMOVDQU Y15, 32(SP)
	XORQ R10, R10
fcopyloop:
	MOVBLZX 0(R9)(R10*1), R11
	MOVB    R11, 0(SP)(R10*1)
	INCQ    R10
	CMPQ    R10, CX
	JLT     fcopyloop
	JMP     fmasks

candidate:
	// R10: a position where a pattern may start. Its byte is taken from the start state
	// unconditionally: the state after it is shallow by definition.
	MOVQ R10, BX
	MOVQ fusedTables_trans(R13), R10
	MOVQ fusedTables_ofByte(R13), R11
	MOVL fusedTables_shallowMin(R13), R12
	MOVL fusedTables_start(R13), AX
	MOVBLZX 0(SI)(BX*1), R9
	MOVBLZX 0(R11)(R9*1), R9
	ADDL R9, AX
	MOVL 0(R10)(AX*4), AX
	INCQ BX
	CMPL AX, fusedTables_outputMin(R13)
	JAE  output
	JMP  step

resume:
	MOVQ fusedTables_trans(R13), R10
	MOVQ fusedTables_ofByte(R13), R11
	MOVL fusedTables_shallowMin(R13), R12
step:
	CMPQ BX, DX
	JGE  end
	MOVBLZX 0(SI)(BX*1), R9
	MOVBLZX 0(R11)(R9*1), R9
	ADDL R9, AX
	MOVL 0(R10)(AX*4), AX
	INCQ BX
	CMPL AX, R12
	JB   step
	CMPL AX, fusedTables_outputMin(R13)
	JAE  output
	// Shallow: the start state means the byte cannot start a pattern; a depth-1 state means it
	// may, so the filter looks at it again.
	CMPL AX, fusedTables_start(R13)
	JEQ  filter
	DECQ BX
	JMP  filter

output:
	VZEROUPPER
	MOVQ BX, ret+48(FP)
	MOVL AX, ret1+56(FP)
	RET

end:
	VZEROUPPER
	MOVQ DX, ret+48(FP)
	MOVL fusedTables_start(R13), AX
	MOVL AX, ret1+56(FP)
	RET
