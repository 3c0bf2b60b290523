import Testing

@Test func simulatorPlaceholder() { #expect(true) }
