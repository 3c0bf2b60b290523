import Testing

@Test func placeholderVeDbusTests() { #expect(1 + 1 == 2) }
